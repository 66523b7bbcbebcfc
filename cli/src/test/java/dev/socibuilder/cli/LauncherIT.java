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
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
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

  @Test
  void anAotCacheIsTrainedByTheFirstBuildOnJdk25AndUsedByTheRunsAfter() throws Exception {
    Path jdk25 = jdk25().orElse(null);
    Assumptions.assumeTrue(jdk25 != null, "no JDK 25 or later under /usr/lib/jvm (or -Dcli.jdk25.home)");
    trainsOnTheFirstBuildAndStartsFromTheCacheAfter(jdk25, ".aot", List.of("-XX:AOTMode=record", "-XX:AOTMode=create"),
        "-XX:AOTCache=");
  }

  @Test
  void anAppCdsArchiveIsTrainedByTheFirstBuildOnJdk17AndUsedByTheRunsAfter() throws Exception {
    Path home = Path.of(System.getProperty("java.home"));
    Assumptions.assumeTrue(feature(home).filter(f -> f >= 13 && f < 25).isPresent(), "the tests' JDK is not 13-24");
    trainsOnTheFirstBuildAndStartsFromTheCacheAfter(home, ".jsa", List.of("-XX:ArchiveClassesAtExit="),
        "-XX:SharedArchiveFile=");
  }

  @Test
  void aCacheAskedOfAJvmOfUnknownVersionIsOneWarningAndAPlainRun() throws Exception {
    Path cache = tmp.resolve("cache");

    // The recording java of these tests has no release file beside its bin folder.
    Run r = launch(Map.of("SOCI_BUILDER_JVM_CACHE", cache.toString()), "--version");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("soci-builder ");
    assertThat(r.err()).startsWith("soci-builder: SOCI_BUILDER_JVM_CACHE needs JDK 13 or later (no JDK release file")
        .endsWith(" for " + java + "); running without a cache\n").hasLineCount(1);
    assertThat(Files.readAllLines(recordedArgs)).containsExactly("-XX:CompileCommand=quiet", CRYPTO_THRESHOLDS,
        "-jar", JAR.toString(), "--version");
    assertThat(cache).doesNotExist();
  }

  /**
   * With the cache variable set: a command that builds nothing trains nothing; the first build trains (the
   * {@code training} options, a zTOC identical to soci's, nothing on stdout, one line on stderr, one cache file);
   * the next starts from the cache ({@code use}) quietly; a rebuilt jar trains a cache that replaces the old one.
   */
  private void trainsOnTheFirstBuildAndStartsFromTheCacheAfter(Path realHome, String extension,
      List<String> training, String use) throws Exception {
    Path invocations = tmp.resolve("invocations");
    Path java = fakeJdk("jdk", realHome, invocations);
    Path cache = tmp.resolve("cache");
    Path jarCopy = tmp.resolve("copy").resolve("soci-builder.jar");
    Files.createDirectories(jarCopy.getParent());
    Files.copy(JAR, jarCopy);
    Map<String, String> env = Map.of("JAVA", java.toString(), "SOCI_BUILDER_JVM_CACHE", cache.toString(),
        "SOCI_BUILDER_JAR", jarCopy.toString());
    Case c = ConformanceCorpus.named("gz-py-l6");
    Path out = tmp.resolve("out.ztoc");
    String[] create = {"ztoc", "create", ConformanceCorpus.file(c.layer()).toString(), "-o", out.toString(),
        "--span-size", Long.toString(c.spanSize()), "--build-tool", c.buildTool(), "--inflate-threads", "2"};

    Run version = launch(env, "--version");
    assertThat(version.exitCode()).as(version.err()).isZero();
    assertThat(version.err()).isEmpty();
    assertThat(cache).doesNotExist();

    Run first = launch(env, create);
    assertThat(first.exitCode()).as(first.err()).isZero();
    assertThat(first.out()).as("the training JVM prints nothing on the command's stdout").isEmpty();
    assertThat(Files.readAllBytes(out)).isEqualTo(ConformanceCorpus.expectedZtoc(c));
    List<Path> files = list(cache);
    assertThat(files).hasSize(1);
    Path file = files.get(0);
    assertThat(file.getFileName().toString()).matches("soci-builder-[0-9]+-[0-9]+\\" + extension);
    assertThat(Files.size(file)).isGreaterThan(1 << 20);
    assertThat(first.err()).isEqualTo("soci-builder: JVM start-up cache written to " + file
        + " (later runs start from it)\n");
    List<String> calls = Files.readAllLines(invocations);
    assertThat(calls).hasSize(1 + training.size());
    assertThat(calls.get(0)).doesNotContain(file.getFileName().toString());
    assertThat(calls.get(1)).contains(training.get(0), CRYPTO_THRESHOLDS, " ztoc create ");
    for (int i = 1; i < training.size(); i++) {
      assertThat(calls.get(1 + i)).contains(training.get(i)).doesNotContain(" ztoc ");
    }

    Files.delete(out);
    Run cached = launch(env, create);
    assertThat(cached.exitCode()).as(cached.err()).isZero();
    assertThat(cached.out()).isEmpty();
    assertThat(cached.err()).isEmpty();
    assertThat(Files.readAllBytes(out)).isEqualTo(ConformanceCorpus.expectedZtoc(c));
    calls = Files.readAllLines(invocations);
    assertThat(calls).hasSize(2 + training.size());
    assertThat(calls.get(calls.size() - 1)).contains(use + file + " ", CRYPTO_THRESHOLDS, " ztoc create ");

    // Another build of the jar gets a cache of its own, and the stale one goes.
    assertThat(jarCopy.toFile().setLastModified(jarCopy.toFile().lastModified() - 60_000)).isTrue();
    Run rebuilt = launch(env, create);
    assertThat(rebuilt.exitCode()).as(rebuilt.err()).isZero();
    assertThat(list(cache)).hasSize(1).doesNotContain(file);
  }

  /**
   * A JDK's layout around a {@code java} that appends its arguments as one line to {@code invocations} and runs
   * {@code realHome}'s: the launcher reads the version from the {@code release} file beside {@code bin}.
   */
  private Path fakeJdk(String name, Path realHome, Path invocations) throws IOException {
    Path home = tmp.resolve(name);
    Files.createDirectories(home.resolve("bin"));
    Files.copy(realHome.resolve("release"), home.resolve("release"));
    Path fake = home.resolve("bin").resolve("java");
    Files.writeString(fake, "#!/bin/sh\n"
        + "printf '%s ' \"$@\" >> '" + invocations + "'\necho >> '" + invocations + "'\n"
        + "exec '" + realHome.resolve("bin").resolve("java") + "' \"$@\"\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
    return fake;
  }

  /** A JDK 25 or later: {@code -Dcli.jdk25.home}, else the first under /usr/lib/jvm. */
  private static Optional<Path> jdk25() throws IOException {
    String given = System.getProperty("cli.jdk25.home");
    if (given != null) {
      return Optional.of(Path.of(given));
    }
    Path jvms = Path.of("/usr/lib/jvm");
    if (!Files.isDirectory(jvms)) {
      return Optional.empty();
    }
    try (Stream<Path> homes = Files.list(jvms)) {
      return homes.sorted().filter(h -> Files.isExecutable(h.resolve("bin/java")) && feature(h).orElse(0) >= 25)
          .findFirst();
    }
  }

  /** The feature version in a JDK's release file ({@code JAVA_VERSION="25.0.1"}), if it has one. */
  private static Optional<Integer> feature(Path home) {
    try {
      Matcher m = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)").matcher(Files.readString(home.resolve("release")));
      return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.toList();
    }
  }

  private Run launch(Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(tmp.toFile());
    builder.environment().remove("SOCI_BUILDER_JAR");
    builder.environment().remove("SOCI_BUILDER_JAVA_OPTS");
    builder.environment().remove("JAVA_TOOL_OPTIONS");
    builder.environment().remove("SOCI_BUILDER_JVM_CACHE");
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
