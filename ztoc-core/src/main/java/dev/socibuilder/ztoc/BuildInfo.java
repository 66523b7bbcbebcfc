package dev.socibuilder.ztoc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** This project's version and default build tool identifier, from the build.properties Maven filters. */
public final class BuildInfo {
  private BuildInfo() {}

  /** The project version, e.g. {@code 0.1.0}; {@code dev} in an unfiltered (IDE) build. */
  public static String version() {
    Properties p = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read build.properties", e);
    }
    String v = p.getProperty("version", "dev");
    return v.startsWith("${") ? "dev" : v;
  }

  /** {@code "SOCI Index Builder v<version>"}: written into zTOCs and SOCI indexes unless one is given. */
  public static String defaultBuildTool() {
    return "SOCI Index Builder v" + version();
  }
}
