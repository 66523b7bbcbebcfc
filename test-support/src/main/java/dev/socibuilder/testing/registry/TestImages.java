package dev.socibuilder.testing.registry;

import dev.socibuilder.testing.tar.UstarHeader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

/**
 * Writes OCI image layouts for tests: real tar layers (gzip, or zstd through the {@code zstd} tool),
 * a config blob with os/architecture and diff_ids, and either one image manifest or an image index
 * with platform descriptors. Content is deterministic (seeded), so the same specs give the same
 * digests. Push a layout with {@link Skopeo#copy} ({@code --format v2s2} turns it into Docker
 * schema 2; {@code --all} copies every platform of an index).
 */
public final class TestImages {
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  public static final String LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
  public static final String LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";

  private TestImages() {}

  /**
   * One layer: {@code files} regular files of {@code fileSize} bytes each under {@code data/}, a
   * {@code randomFraction} of each file's bytes incompressible (the rest repetitive text).
   */
  public record LayerSpec(int files, int fileSize, double randomFraction, boolean zstd, long seed) {
    public LayerSpec {
      if (files < 0 || fileSize < 0 || randomFraction < 0 || randomFraction > 1) {
        throw new IllegalArgumentException("bad layer spec");
      }
    }

    /** About {@code size} bytes of incompressible data (so the gzip layer is about that big too), in 4 files. */
    public static LayerSpec incompressible(long size, long seed) {
      return new LayerSpec(4, (int) (size / 4), 1.0, false, seed);
    }

    /** About {@code size} uncompressed bytes of mostly repetitive text, in 8 files. */
    public static LayerSpec compressible(long size, long seed) {
      return new LayerSpec(8, (int) (size / 8), 0.1, false, seed);
    }

    /** The same content, compressed with zstd and typed {@code tar+zstd}. */
    public LayerSpec asZstd() {
      return new LayerSpec(files, fileSize, randomFraction, true, seed);
    }
  }

  public record Platform(String os, String architecture, String variant) {
    public static Platform linux(String architecture) {
      return new Platform("linux", architecture, null);
    }

    String json() {
      return "{\"architecture\":\"" + architecture + "\",\"os\":\"" + os + "\""
          + (variant != null ? ",\"variant\":\"" + variant + "\"" : "") + "}";
    }
  }

  /**
   * A layer as written: descriptor fields plus the uncompressed tar's digest (diff_id). Digests are
   * strings ({@code sha256:<hex>}) so that this harness depends on no project module.
   */
  public record Layer(String mediaType, String digest, long size, String diffId) {}

  /** One platform's image manifest. */
  public record ImageManifest(Platform platform, String digest, long size, String configDigest, long configSize,
      List<Layer> layers) {}

  /**
   * A written layout. {@code digest}/{@code mediaType} describe what the tag points at (the manifest
   * for a single-platform image, the index otherwise).
   */
  public record TestImage(Path layout, String tag, String digest, String mediaType, long size,
      List<ImageManifest> manifests) {
    /** skopeo's source reference, {@code oci:<layout>:<tag>}. */
    public String ociReference() {
      return "oci:" + layout + ":" + tag;
    }

    /** Path of a blob in the layout. */
    public Path blob(String digest) {
      int colon = digest.indexOf(':');
      return layout.resolve("blobs").resolve(digest.substring(0, colon)).resolve(digest.substring(colon + 1));
    }
  }

  /** A single-platform linux/amd64 image with the given layers. */
  public static TestImage singlePlatform(Path layout, String tag, LayerSpec... layers) {
    try {
      Writer w = new Writer(layout);
      ImageManifest m = w.image(Platform.linux("amd64"), List.of(layers));
      w.index(tag, OCI_MANIFEST, m.digest(), m.size());
      return new TestImage(layout, tag, m.digest(), OCI_MANIFEST, m.size(), List.of(m));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An image index with one manifest per platform, in iteration order. */
  public static TestImage multiPlatform(Path layout, String tag, Map<Platform, List<LayerSpec>> platforms) {
    try {
      Writer w = new Writer(layout);
      List<ImageManifest> manifests = new ArrayList<>();
      StringBuilder entries = new StringBuilder();
      for (Map.Entry<Platform, List<LayerSpec>> e : new LinkedHashMap<>(platforms).entrySet()) {
        ImageManifest m = w.image(e.getKey(), e.getValue());
        manifests.add(m);
        entries.append(entries.length() > 0 ? "," : "").append("{\"mediaType\":\"").append(OCI_MANIFEST)
            .append("\",\"digest\":\"").append(m.digest()).append("\",\"size\":").append(m.size())
            .append(",\"platform\":").append(e.getKey().json()).append('}');
      }
      byte[] index = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":[" + entries + "]}")
          .getBytes(StandardCharsets.UTF_8);
      String d = w.blob(index);
      w.index(tag, OCI_INDEX, d, index.length);
      return new TestImage(layout, tag, d, OCI_INDEX, index.length, List.copyOf(manifests));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A ustar archive of the spec's files (plus a {@code data/} directory entry), deterministic. */
  public static byte[] tar(LayerSpec spec) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(spec.files() * (spec.fileSize() + 1024) + 2048);
    Random random = new Random(spec.seed());
    tarHeader(out, "data/", 0, '5', 0755);
    byte[] text = "the quick brown fox jumps over the lazy dog; soci lazy loading test data 0123456789\n"
        .getBytes(StandardCharsets.US_ASCII);
    for (int f = 0; f < spec.files(); f++) {
      byte[] content = new byte[spec.fileSize()];
      int randomBytes = (int) (content.length * spec.randomFraction());
      byte[] noise = new byte[randomBytes];
      random.nextBytes(noise);
      System.arraycopy(noise, 0, content, 0, randomBytes);
      for (int i = randomBytes; i < content.length; i++) {
        content[i] = text[(i + f) % text.length];
      }
      tarHeader(out, String.format("data/file-%03d.bin", f), content.length, '0', 0644);
      out.writeBytes(content);
      out.writeBytes(new byte[(512 - content.length % 512) % 512]);
    }
    out.writeBytes(new byte[1024]);
    return out.toByteArray();
  }

  private static void tarHeader(ByteArrayOutputStream out, String name, long size, char type, int mode) {
    out.writeBytes(UstarHeader.of(name, size, type, mode, 0, 1704067200L, "root")); // 2024-01-01T00:00:00Z
  }

  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 2 + 1024);
    try (GZIPOutputStream gz = new GZIPOutputStream(out, 64 * 1024)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static byte[] zstd(byte[] data) {
    try {
      Process p = new ProcessBuilder("zstd", "-q", "-c", "-3").start();
      CompletableFuture<byte[]> result = CompletableFuture.supplyAsync(() -> {
        try (InputStream in = p.getInputStream()) {
          return in.readAllBytes();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      try (OutputStream os = p.getOutputStream()) {
        os.write(data);
      }
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("zstd failed: " + new String(p.getErrorStream().readAllBytes()));
      }
      return result.join();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run zstd (is it installed?)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** {@code sha256:<hex>} of {@code data}. */
  public static String sha256(byte[] data) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the Java platform", e);
    }
  }

  /** Writes blobs, manifests and the layout's index.json. */
  private static final class Writer {
    private final Path layout;

    Writer(Path layout) throws IOException {
      this.layout = layout;
      Files.createDirectories(layout.resolve("blobs").resolve("sha256"));
      Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    }

    String blob(byte[] content) throws IOException {
      String d = sha256(content);
      Path p = layout.resolve("blobs").resolve("sha256").resolve(d.substring("sha256:".length()));
      if (!Files.exists(p)) {
        Files.write(p, content);
      }
      return d;
    }

    ImageManifest image(Platform platform, List<LayerSpec> specs) throws IOException {
      List<Layer> layers = new ArrayList<>();
      StringBuilder diffIds = new StringBuilder();
      StringBuilder history = new StringBuilder();
      StringBuilder layerJson = new StringBuilder();
      for (LayerSpec spec : specs) {
        byte[] tar = tar(spec);
        String diffId = sha256(tar);
        byte[] compressed = spec.zstd() ? zstd(tar) : gzip(tar);
        String d = blob(compressed);
        String type = spec.zstd() ? LAYER_ZSTD : LAYER_GZIP;
        layers.add(new Layer(type, d, compressed.length, diffId));
        diffIds.append(diffIds.length() > 0 ? "," : "").append('"').append(diffId).append('"');
        history.append(history.length() > 0 ? "," : "")
            .append("{\"created\":\"2024-01-01T00:00:00Z\",\"created_by\":\"test layer ").append(spec.seed()).append("\"}");
        layerJson.append(layerJson.length() > 0 ? "," : "").append("{\"mediaType\":\"").append(type)
            .append("\",\"digest\":\"").append(d).append("\",\"size\":").append(compressed.length).append('}');
      }
      byte[] config = ("{\"architecture\":\"" + platform.architecture() + "\",\"created\":\"2024-01-01T00:00:00Z\""
          + ",\"os\":\"" + platform.os() + "\""
          + (platform.variant() != null ? ",\"variant\":\"" + platform.variant() + "\"" : "")
          + ",\"config\":{\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"]}"
          + ",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + diffIds + "]},\"history\":[" + history + "]}")
          .getBytes(StandardCharsets.UTF_8);
      String configDigest = blob(config);
      byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
          + OCI_CONFIG + "\",\"digest\":\"" + configDigest + "\",\"size\":" + config.length + "},\"layers\":["
          + layerJson + "]}").getBytes(StandardCharsets.UTF_8);
      String md = blob(manifest);
      return new ImageManifest(platform, md, manifest.length, configDigest, config.length, List.copyOf(layers));
    }

    void index(String tag, String mediaType, String d, long size) throws IOException {
      Files.writeString(layout.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\""
          + mediaType + "\",\"digest\":\"" + d + "\",\"size\":" + size
          + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"" + tag + "\"}}]}");
    }
  }
}
