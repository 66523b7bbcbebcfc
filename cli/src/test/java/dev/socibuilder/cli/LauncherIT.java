package dev.socibuilder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socibuilder.testing.conformance.ConformanceCorpus;
import dev.socibuilder.testing.conformance.ConformanceCorpus.Case;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher script ({@code cli/soci-builder}) around the packaged jar (after {@code package}): what it runs,
 * with which JVM options, and that the JVM takes them. The JVM it starts is a wrapper that records its arguments
 * and then runs this JVM's {@code java}.
 */
class LauncherIT {

  private static final Path LAUNCHER = Path.of(System.getProperty("cli.launcher", "soci-builder")).toAbsolutePath();
  private static final Path JAR = Path.of(System.getProperty("cli.jar", "target/soci-builder.jar")).toAbsolutePath();
  private static final String CRYPTO_THRESHOLDS =
      "-XX:CompileCommand=CompileThresholdScaling,com.sun.crypto.provider.*::*,0.05";

  @TempDir Path tmp;
  private Path recordedArgs;
  private Path java;

  private record Run(int exitCode, String out, String err) {}

  @BeforeEach
  void recordingJava() throws IOException {
    recordedArgs = tmp.resolve("java-args");
    java = tmp.resolve("java");
    Files.writeString(java, "#!/bin/sh\n"
        + "for a in \"$@\"; do printf '%s\\n' \"$a\"; done > '" + recordedArgs + "'\n"
        + "exec '" + Path.of(System.getProperty("java.home"), "bin", "java") + "' \"$@\"\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
  }

  @Test
  void runsTheJarWithTheCryptoThresholdsAndWritesSocisBytes() throws Exception {
    Case c = ConformanceCorpus.named("gz-py-l6");
    Path out = tmp.resolve("out.ztoc");

    Run r = launch(Map.of(), "ztoc", "create", ConformanceCorpus.file(c.layer()).toString(), "-o", out.toString(),
        "--span-size", Long.toString(c.spanSize()), "--build-tool", c.buildTool());

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).as("HotSpot echoes no CompileCommand").isEmpty();
    assertThat(Files.readAllBytes(out)).isEqualTo(ConformanceCorpus.expectedZtoc(c));
    assertThat(Files.readAllLines(recordedArgs)).containsExactly("-XX:CompileCommand=quiet", CRYPTO_THRESHOLDS,
        "-jar", JAR.toString(), "ztoc", "create", ConformanceCorpus.file(c.layer()).toString(), "-o", out.toString(),
        "--span-size", Long.toString(c.spanSize()), "--build-tool", c.buildTool());
  }

  @Test
  void javaOptionsFromTheEnvironmentReplaceTheDefaults() throws Exception {
    Run r = launch(Map.of("SOCI_BUILDER_JAVA_OPTS", "-Xmx64m -Xss1m"), "--version");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("soci-builder ");
    assertThat(Files.readAllLines(recordedArgs)).containsExactly("-Xmx64m", "-Xss1m", "-jar", JAR.toString(),
        "--version");
  }

  @Test
  void optionsAreNotFileNamePatterns() throws Exception {
    // A file the thresholds option would match as a pattern, in the working directory.
    Files.createFile(tmp.resolve(CRYPTO_THRESHOLDS.replace("*::*", "x::y")));

    Run r = launch(Map.of(), "--version");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(Files.readAllLines(recordedArgs)).contains(CRYPTO_THRESHOLDS);
  }

  @Test
  void aMissingJarIsOneLineAndNoJvm() throws Exception {
    Path missing = tmp.resolve("none.jar");

    Run r = launch(Map.of("SOCI_BUILDER_JAR", missing.toString()), "--version");

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).startsWith("soci-builder: no jar at " + missing + ":").endsWith("\n").hasLineCount(1);
    assertThat(recordedArgs).doesNotExist();
  }

  private Run launch(Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(tmp.toFile());
    builder.environment().remove("SOCI_BUILDER_JAR");
    builder.environment().remove("SOCI_BUILDER_JAVA_OPTS");
    builder.environment().remove("JAVA_TOOL_OPTIONS");
    builder.environment().put("JAVA", java.toString());
    builder.environment().putAll(env);
    Path out = tmp.resolve("stdout");
    Path err = tmp.resolve("stderr");
    Process p = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the launcher did not finish in 120 s");
    }
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
