package dev.socibuilder.cli;

/** The project's name and version, used as the default build tool identifier. */
final class BuildInfo {
  private BuildInfo() {}

  static String version() {
    String v = BuildInfo.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** The default build tool identifier written into zTOCs and SOCI indexes. */
  static String defaultBuildTool() {
    return "SOCI Index Builder v" + version();
  }
}
