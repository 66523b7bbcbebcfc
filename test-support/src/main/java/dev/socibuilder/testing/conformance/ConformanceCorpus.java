package dev.socibuilder.testing.conformance;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The conformance corpus: layers with the exact zTOC bytes soci produced for them (copied, byte for
 * byte, from the project's shared corpus into this module's resources). Every module's tests read it
 * from here, so a fresh clone needs nothing outside the repository.
 */
public final class ConformanceCorpus {
  private static final String ROOT = "/conformance/";
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private static Path extracted;

  private ConformanceCorpus() {}

  /** One entry of cases.json. */
  public record Case(
      String name,
      String layer,
      String compression,
      long spanSize,
      String buildTool,
      String expect,
      String ztocSha256,
      Integer numSpans,
      Integer numFiles,
      String errorReason,
      String notes,
      long layerSize,
      String refReadback,
      Long uncompressedArchiveSize) {
    public boolean ok() {
      return expect.equals("ok");
    }

    /** Whether soci's own reader accepts the expected zTOC (it rejects a few that soci wrote). */
    public boolean readbackOk() {
      return "ok".equals(refReadback);
    }

    public boolean gzip() {
      return compression.equals("gzip");
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** One file of files.json: a regular file whose content soci's get-file logic reproduced. */
  public record FileCase(String path, byte[] rawPath, long size, String sha256, int startSpan, int endSpan) {}

  /** One entry of the {@code files} list of an expected {@code soci ztoc info} JSON. */
  public record InfoFile(String filename, long offset, long size, String type) {}

  public static List<Case> cases() {
    JsonNode root = readJson("cases.json");
    List<Case> out = new ArrayList<>();
    for (JsonNode n : root) {
      out.add(
          new Case(
              n.get("name").asText(),
              n.get("layer").asText(),
              n.get("compression").asText(),
              n.get("span_size").asLong(),
              n.get("build_tool").asText(),
              n.get("expect").asText(),
              text(n, "ztoc_sha256"),
              n.get("num_spans").isNull() ? null : n.get("num_spans").asInt(),
              n.get("num_files").isNull() ? null : n.get("num_files").asInt(),
              text(n, "error_reason"),
              n.get("notes").asText(),
              n.get("layer_size").asLong(),
              text(n, "ref_readback"),
              n.get("uncompressed_archive_size").isNull()
                  ? null
                  : n.get("uncompressed_archive_size").asLong()));
    }
    return out;
  }

  public static List<Case> okCases() {
    return cases().stream().filter(Case::ok).toList();
  }

  public static List<Case> errorCases() {
    return cases().stream().filter(c -> !c.ok()).toList();
  }

  /** The case of that name (fails if there is none). */
  public static Case named(String name) {
    return cases().stream()
        .filter(c -> c.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no corpus case " + name));
  }

  /** The files.json entries of a case (empty when it has none). */
  public static List<FileCase> files(String caseName) {
    JsonNode list = readJson("files.json").get(caseName);
    List<FileCase> out = new ArrayList<>();
    if (list == null) {
      return out;
    }
    for (JsonNode f : list) {
      String path = f.get("path").asText();
      byte[] raw =
          f.has("path_hex")
              ? HexFormat.of().parseHex(f.get("path_hex").asText())
              : path.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      out.add(
          new FileCase(
              path,
              raw,
              f.get("size").asLong(),
              f.get("sha256").asText(),
              f.get("start_span").asInt(),
              f.get("end_span").asInt()));
    }
    return out;
  }

  public static byte[] layerBytes(Case c) {
    return bytes(c.layer());
  }

  /** The expected zTOC bytes of an ok case (soci's own output). */
  public static byte[] expectedZtoc(Case c) {
    return bytes("expected/" + c.name() + ".ztoc");
  }

  /** The expected `soci ztoc info` JSON, or null for the cases soci cannot read back. */
  public static byte[] expectedInfo(Case c) {
    String res = ROOT + "expected/" + c.name() + ".info.json";
    try (InputStream in = ConformanceCorpus.class.getResourceAsStream(res)) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The {@code files} list of the expected {@code soci ztoc info} JSON (empty where soci wrote
   * {@code null}), or null for the cases soci cannot read back.
   */
  public static List<InfoFile> expectedInfoFiles(Case c) {
    byte[] info = expectedInfo(c);
    if (info == null) {
      return null;
    }
    JsonNode files;
    try {
      files = JSON.readTree(info).get("files");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<InfoFile> out = new ArrayList<>();
    if (files == null || files.isNull()) {
      return out;
    }
    for (JsonNode f : files) {
      out.add(
          new InfoFile(
              f.get("filename").asText(),
              f.get("offset").asLong(),
              f.get("size").asLong(),
              f.get("type").asText()));
    }
    return out;
  }

  /** A path on disk for a corpus file (copied out of the test-support jar when needed). */
  public static synchronized Path file(String relative) {
    try {
      if (extracted == null) {
        extracted = Files.createTempDirectory("conformance");
        extracted.toFile().deleteOnExit();
      }
      Path p = extracted.resolve(relative);
      if (!Files.exists(p)) {
        Files.createDirectories(p.getParent());
        try (InputStream in = open(relative)) {
          Files.copy(in, p, StandardCopyOption.REPLACE_EXISTING);
        }
        p.toFile().deleteOnExit();
      }
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static byte[] bytes(String relative) {
    try (InputStream in = open(relative)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream open(String relative) {
    InputStream in = ConformanceCorpus.class.getResourceAsStream(ROOT + relative);
    if (in == null) {
      throw new IllegalStateException("corpus file missing from the test resources: " + relative);
    }
    return in;
  }

  private static JsonNode readJson(String relative) {
    try {
      return JSON.readTree(bytes(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
