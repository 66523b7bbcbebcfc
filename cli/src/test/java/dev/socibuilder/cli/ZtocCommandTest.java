package dev.socibuilder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.testing.conformance.ConformanceCorpus.Case;
import dev.socibuilder.testing.conformance.ConformanceCorpus.FileCase;
import dev.socibuilder.testing.conformance.ConformanceCorpus;
import dev.socibuilder.testing.tar.UstarHeader;
import dev.socibuilder.ztoc.CompressionInfo;
import dev.socibuilder.ztoc.FileExtractor;
import dev.socibuilder.ztoc.FileMetadata;
import dev.socibuilder.ztoc.GzipZinfo;
import dev.socibuilder.ztoc.Ztoc;
import dev.socibuilder.ztoc.ZtocCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code soci-builder ztoc ...} as a user runs it, against soci's own outputs. */
class ZtocCommandTest {
  @TempDir Path tmp;

  static Stream<Case> okCases() {
    return ConformanceCorpus.okCases().stream();
  }

  static Stream<Case> errorCases() {
    return ConformanceCorpus.errorCases().stream();
  }

  private static Case named(String name) {
    return ConformanceCorpus.cases().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("okCases")
  void createWritesSocisBytes(Case c) throws IOException {
    // By default (one thread for these small layers), and with the threads asked for.
    for (String threads : new String[] {null, "3"}) {
      Path out = tmp.resolve(c.name() + "-" + threads + ".ztoc");
      List<String> args = new ArrayList<>(List.of("ztoc", "create", ConformanceCorpus.file(c.layer()).toString(),
          "-o", out.toString(), "--span-size", Long.toString(c.spanSize()), "--build-tool", c.buildTool(),
          "--compression", c.compression()));
      if (threads != null) {
        args.addAll(List.of("--inflate-threads", threads));
      }
      CliTestSupport.Run r = CliTestSupport.run(args.toArray(String[]::new));

      assertThat(r.exitCode()).as(r.err()).isZero();
      assertThat(Files.readAllBytes(out)).as("--inflate-threads %s", threads)
          .isEqualTo(ConformanceCorpus.expectedZtoc(c));
    }
  }

  /**
   * A layer of several of the parallel inflater's first chunks (1 MiB each), so that workers decode
   * it: the same zTOC as the single-threaded reference path.
   */
  @Test
  void createOnTwoInflateThreadsMatchesTheReferencePathOnALayerOfSeveralChunks() throws IOException {
    Path layer = tmp.resolve("layer.tar.gz");
    java.util.Random random = new java.util.Random(13);
    try (var gz = new java.util.zip.GZIPOutputStream(Files.newOutputStream(layer), 1 << 16)) {
      for (int f = 0; f < 40; f++) {
        byte[] data = new byte[200_000 + random.nextInt(100_000)];
        for (int i = 0; i < data.length; i++) {
          // Half text-like (compressible), half random (not): both kinds of deflate block.
          data[i] = (byte) (f % 2 == 0 ? 'a' + random.nextInt(6) : random.nextInt());
        }
        gz.write(UstarHeader.file("f" + f, data.length));
        gz.write(data);
        gz.write(new byte[(512 - data.length % 512) % 512]);
      }
      gz.write(new byte[1024]);
    }
    assertThat(Files.size(layer)).as("several 1 MiB chunks").isGreaterThan(4L << 20);
    Path one = tmp.resolve("one.ztoc");
    Path two = tmp.resolve("two.ztoc");
    CliTestSupport.Run r1 = CliTestSupport.run("ztoc", "create", layer.toString(), "-o", one.toString(),
        "--inflate-threads", "1");
    CliTestSupport.Run r2 = CliTestSupport.run("ztoc", "create", layer.toString(), "-o", two.toString(),
        "--inflate-threads", "2");
    Path many = tmp.resolve("many.ztoc"); // as many as the processors
    CliTestSupport.Run rMany = CliTestSupport.run("ztoc", "create", layer.toString(), "-o", many.toString(),
        "--inflate-threads", "100000");

    assertThat(r1.exitCode()).as(r1.err()).isZero();
    assertThat(r2.exitCode()).as(r2.err()).isZero();
    assertThat(rMany.exitCode()).as(rMany.err()).isZero();
    assertThat(Files.readAllBytes(two)).isEqualTo(Files.readAllBytes(one));
    assertThat(Files.readAllBytes(many)).isEqualTo(Files.readAllBytes(one));
    assertThat(ZtocCodec.decode(Files.readAllBytes(two)).toc()).hasSize(40);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("errorCases")
  void createFailsWithOneLineAndNoOutputFile(Case c) throws IOException {
    Path out = tmp.resolve(c.name() + ".ztoc");
    CliTestSupport.Run r = CliTestSupport.run("ztoc", "create", ConformanceCorpus.file(c.layer()).toString(),
        "-o", out.toString(), "--span-size", Long.toString(c.spanSize()), "--compression", c.compression());

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err().strip()).doesNotContain("\n").contains("layer ").contains("offset");
    assertThat(out).doesNotExist();
    try (Stream<Path> left = Files.list(tmp)) {
      assertThat(left).as("no temporary file left behind").isEmpty();
    }
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(CliTestSupport.run("ztoc", "create").exitCode()).isEqualTo(2);
    assertThat(CliTestSupport.run("ztoc", "create", "x.tar.gz", "-o", "y", "--compression", "zstd").exitCode())
        .isEqualTo(2);
    assertThat(CliTestSupport.run("ztoc", "create", "x.tar.gz", "-o", "y", "--span-size", "0").exitCode())
        .isEqualTo(2);
    assertThat(CliTestSupport.run("ztoc", "create", "x.tar.gz", "-o", "y", "--inflate-threads", "0").exitCode())
        .isEqualTo(2);
    assertThat(CliTestSupport.run("no-such-command").exitCode()).isEqualTo(2);
  }

  @Test
  void missingLayerIsAClearFailure() {
    CliTestSupport.Run r = CliTestSupport.run("ztoc", "create", tmp.resolve("nope.tar.gz").toString(), "-o",
        tmp.resolve("out").toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("no such layer file");
  }

  @Test
  void defaultBuildToolIsThisProject() throws IOException {
    Case c = named("gz-py-l6");
    Path out = tmp.resolve("default.ztoc");
    CliTestSupport.run("ztoc", "create", ConformanceCorpus.file(c.layer()).toString(), "-o", out.toString());
    CliTestSupport.Run info = CliTestSupport.run("ztoc", "info", out.toString());
    assertThat(info.out()).contains("\"build_tool\": \"SOCI Index Builder v0.");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("okCases")
  void infoPrintsSocisInfoJson(Case c) throws IOException {
    byte[] expected = ConformanceCorpus.expectedInfo(c);
    if (expected == null) {
      return; // soci itself cannot read these two zTOCs back (ref_readback fails); see the next test
    }
    CliTestSupport.Run r = CliTestSupport.run("ztoc", "info", ConformanceCorpus.file("expected/" + c.name() + ".ztoc").toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out().strip()).isEqualTo(new String(expected, StandardCharsets.UTF_8).strip());
  }

  @Test
  void infoRejectsAZtocSociCannotRead() {
    CliTestSupport.Run r = CliTestSupport.run("ztoc", "info",
        ConformanceCorpus.file("expected/header-only-nonzero-size.ztoc").toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("invalid toc entry");
  }

  @Test
  void getFileExtractsMultiSpanFilesThroughTheCheckpoints() throws IOException {
    for (String name : new String[] {"span-16k-long-file", "gz-multimember-3", "uncompressed-pax"}) {
      Case c = named(name);
      Path ztoc = ConformanceCorpus.file("expected/" + c.name() + ".ztoc");
      Path layer = ConformanceCorpus.file(c.layer());
      for (FileCase f : ConformanceCorpus.files(c.name())) {
        if (!f.path().equals(new String(f.rawPath(), StandardCharsets.UTF_8))) {
          continue; // non-UTF-8 names cannot be typed on a command line here
        }
        Path out = tmp.resolve("extracted");
        CliTestSupport.Run r = CliTestSupport.run("ztoc", "get-file", ztoc.toString(), layer.toString(), f.path(),
            "-o", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Digest.sha256Of(Files.readAllBytes(out)).hex()).as("%s %s", name, f.path()).isEqualTo(f.sha256());
      }
    }
  }

  @Test
  void getFileOfAnUnknownPathFails() {
    Case c = named("gz-py-l6");
    CliTestSupport.Run r = CliTestSupport.run("ztoc", "get-file",
        ConformanceCorpus.file("expected/" + c.name() + ".ztoc").toString(),
        ConformanceCorpus.file(c.layer()).toString(), "no/such/file");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("no file no/such/file");
  }

  @Test
  void createWritesANewFileWithTheUmasksModeAndKeepsTheModeOfTheFileItReplaces() throws IOException {
    Case c = named("gz-py-l6");
    Path fresh = tmp.resolve("fresh.ztoc");
    Path existing = tmp.resolve("existing.ztoc");
    Files.writeString(existing, "old");
    Files.setPosixFilePermissions(existing, PosixFilePermissions.fromString("rw-r-----"));
    Path probe = tmp.resolve("probe");
    Files.newOutputStream(probe).close();
    Set<PosixFilePermission> plain = Files.getPosixFilePermissions(probe);
    Files.delete(probe);

    for (Path out : new Path[] {fresh, existing}) {
      assertThat(CliTestSupport.run("ztoc", "create", ConformanceCorpus.file(c.layer()).toString(), "-o",
          out.toString()).exitCode()).isZero();
    }

    assertThat(Files.getPosixFilePermissions(fresh)).as("as a plain create: 0666 less the umask").isEqualTo(plain);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(existing))).isEqualTo("rw-r-----");
    assertThat(Files.size(existing)).isEqualTo(Files.size(fresh));
  }

  @Test
  void createRejectsSpanSizesBelowTheFloorAsAUsageError() {
    Case c = named("gz-py-l6");
    String layer = ConformanceCorpus.file(c.layer()).toString();

    CliTestSupport.Run tiny = CliTestSupport.run("ztoc", "create", layer, "-o", tmp.resolve("a").toString(),
        "--span-size", "1");
    CliTestSupport.Run lowered = CliTestSupport.run("ztoc", "create", layer, "-o", tmp.resolve("b").toString(),
        "--span-size", "512", "--limits", "min-span-size=512");

    assertThat(tiny.exitCode()).isEqualTo(2);
    assertThat(tiny.err()).contains("span size 1 is below the minimum of 1024 bytes (limit min-span-size)");
    assertThat(tmp.resolve("a")).doesNotExist();
    assertThat(lowered.exitCode()).as(lowered.err()).isZero();
    assertThat(CliTestSupport.run("ztoc", "create", layer, "-o", "x", "--limits", "entries=3").exitCode())
        .isEqualTo(2);
  }

  @Test
  void aLayerPastALimitFailsWithOneLineNamingTheLimitAndNoOutputFile() {
    Case c = named("gz-py-l6");
    Path out = tmp.resolve("limited.ztoc");

    CliTestSupport.Run r = CliTestSupport.run("ztoc", "create", ConformanceCorpus.file(c.layer()).toString(), "-o",
        out.toString(), "--limits", "toc-entries=2");

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).matches("soci-builder: layer .*gz-py-l6.tar.gz: the layer has more than 2 tar entries, at "
        + "uncompressed offset \\d+ \\(zTOC limit toc-entries=2\\)\\R");
    assertThat(out).doesNotExist();
  }

  @Test
  void getFileWithATamperedCheckpointNamesItInsteadOfAnInternalError() throws IOException {
    Case c = named("span-16k-long-file");
    Path layer = ConformanceCorpus.file(c.layer());
    Ztoc z = ZtocCodec.decode(ConformanceCorpus.expectedZtoc(c));
    FileMetadata file = FileExtractor.find(z, "blob/long.dat").orElseThrow();
    int span = GzipZinfo.parse(z.compressionInfo().checkpoints()).spanOf(file.uncompressedOffset());
    int at = GzipZinfo.HEADER_SIZE + span * GzipZinfo.CHECKPOINT_SIZE;

    byte[] badBits = z.compressionInfo().checkpoints().clone();
    badBits[at + 16] = 9;
    byte[] outside = z.compressionInfo().checkpoints().clone();
    outside[at + 7] = 0x40; // in + 2^62
    long outsideIn = GzipZinfo.parse(outside).in(span);

    for (byte[] blob : new byte[][] {badBits, outside}) {
      Path mutated = tmp.resolve("mutated.ztoc");
      Files.write(mutated, ZtocCodec.encode(new Ztoc(z.version(), z.buildToolIdentifier(), z.compressedArchiveSize(),
          z.uncompressedArchiveSize(), z.toc(), new CompressionInfo(z.compressionInfo().algorithm(),
              z.compressionInfo().maxSpanId(), z.compressionInfo().spanDigests(), blob))));

      CliTestSupport.Run r = CliTestSupport.run("ztoc", "get-file", mutated.toString(), layer.toString(),
          "blob/long.dat", "-o", tmp.resolve("out").toString());

      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.err()).startsWith("soci-builder: invalid checkpoint: checkpoint " + span + " ")
          .containsAnyOf("has 9 bits (at most 7)", "is at compressed offset " + outsideIn + ", outside the "
              + c.layerSize() + "-byte layer")
          .doesNotContain("internal error");
      assertThat(tmp.resolve("out")).doesNotExist();
    }
  }

  @Test
  void getFileWithTheZtocOfAnotherLayerSaysSo() {
    Case c = named("span-16k-long-file");
    Path otherLayer = ConformanceCorpus.file(named("gz-py-l6").layer());

    CliTestSupport.Run r = CliTestSupport.run("ztoc", "get-file",
        ConformanceCorpus.file("expected/" + c.name() + ".ztoc").toString(), otherLayer.toString(), "blob/long.dat");

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("is the zTOC of a layer of " + c.layerSize() + " bytes, not of " + otherLayer);
  }

  @Test
  void runningOutOfMemoryIsOneLineNotAStackTrace() throws Exception {
    // A zTOC of 60,000 entries decodes to a model larger than a 16 MiB heap.
    Path layer = tmp.resolve("many.tar.gz");
    try (java.io.OutputStream out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(layer))) {
      for (int i = 0; i < 60_000; i++) {
        out.write(UstarHeader.file(String.format("d/%08d", i), 0));
      }
      out.write(new byte[1024]);
    }
    Path ztoc = tmp.resolve("many.ztoc");
    assertThat(CliTestSupport.run("ztoc", "create", layer.toString(), "-o", ztoc.toString()).exitCode()).isZero();

    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx16m",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "ztoc", "info", ztoc.toString())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(p.waitFor()).isEqualTo(1);
    assertThat(err).startsWith("soci-builder: out of memory (Java heap space, maximum heap ")
        .endsWith(" MiB): give the JVM more with -Xmx (e.g. JAVA_TOOL_OPTIONS=-Xmx4g), or lower --limits\n")
        .doesNotContain("\tat ");
  }
}
