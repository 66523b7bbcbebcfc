package dev.socibuilder.cli;

import dev.socibuilder.digest.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a small, deterministic sample image as an OCI image layout, so that the main job can be
 * run locally without a registry: one ~13 MB gzip layer (above soci's 10 MiB minimum, so it gets a
 * zTOC) and one small layer (below the minimum, so it is skipped and reported). The build runs it at
 * {@code package} time into {@code cli/target/sample-image}, tagged {@code latest}.
 */
public final class SampleImage {
  private SampleImage() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "sample-image");
    write(dir);
    System.out.println("sample image written to oci:" + dir + ":latest");
  }

  /** Writes (or rewrites) the layout at {@code dir}. */
  public static void write(Path dir) throws IOException {
    SplittableRandom rnd = new SplittableRandom(20261128);
    Tar big = new Tar();
    big.dir("opt/");
    big.dir("opt/app/");
    byte[] blob = new byte[12 << 20];
    for (int i = 0; i < blob.length; i += 8) {
      long v = rnd.nextLong();
      for (int j = 0; j < 8; j++) {
        blob[i + j] = (byte) (v >>> (8 * j));
      }
    }
    big.file("opt/app/model.bin", blob);
    for (int i = 0; i < 40; i++) {
      big.file(String.format("opt/app/lib/module-%02d.txt", i), text(rnd, 20_000 + rnd.nextInt(60_000)));
    }
    big.file("opt/app/start.sh", "#!/bin/sh\nexec /opt/app/bin/server \"$@\"\n".getBytes(StandardCharsets.UTF_8));
    Tar small = new Tar();
    small.dir("etc/");
    small.file("etc/app.conf", "listen = 0.0.0.0:8080\nworkers = 4\n".getBytes(StandardCharsets.UTF_8));

    Files.createDirectories(dir.resolve("blobs/sha256"));
    Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    byte[] tar1 = big.finish();
    byte[] tar2 = small.finish();
    byte[] layer1 = gzip(tar1);
    byte[] layer2 = gzip(tar2);
    String config =
        "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Entrypoint\":[\"/opt/app/start.sh\"]},"
            + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
            + Digest.sha256Of(tar1)
            + "\",\""
            + Digest.sha256Of(tar2)
            + "\"]}}";
    byte[] configBytes = config.getBytes(StandardCharsets.UTF_8);
    String manifest =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + "\"config\":"
            + descriptor("application/vnd.oci.image.config.v1+json", put(dir, configBytes), configBytes.length)
            + ",\"layers\":["
            + descriptor("application/vnd.oci.image.layer.v1.tar+gzip", put(dir, layer1), layer1.length)
            + ","
            + descriptor("application/vnd.oci.image.layer.v1.tar+gzip", put(dir, layer2), layer2.length)
            + "]}";
    byte[] manifestBytes = manifest.getBytes(StandardCharsets.UTF_8);
    Digest manifestDigest = put(dir, manifestBytes);
    String index =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{"
            + "\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\""
            + manifestDigest
            + "\",\"size\":"
            + manifestBytes.length
            + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"latest\"}}]}";
    Files.writeString(dir.resolve("index.json"), index);
  }

  private static String descriptor(String mediaType, Digest digest, long size) {
    return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest + "\",\"size\":" + size + "}";
  }

  private static Digest put(Path dir, byte[] content) throws IOException {
    Digest d = Digest.sha256Of(content);
    Files.write(dir.resolve("blobs/sha256").resolve(d.hex()), content);
    return d;
  }

  private static byte[] text(SplittableRandom rnd, int size) {
    String[] words = {"container", "lazy", "loading", "span", "checkpoint", "layer", "index", "image", "start"};
    StringBuilder sb = new StringBuilder(size + 16);
    while (sb.length() < size) {
      sb.append(words[rnd.nextInt(words.length)]).append(rnd.nextInt(8) == 0 ? '\n' : ' ');
    }
    return sb.substring(0, size).getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream(data.length / 2);
    try (GZIPOutputStream gz =
        new GZIPOutputStream(bos, 1 << 16) {
          {
            def.setLevel(Deflater.DEFAULT_COMPRESSION);
          }
        }) {
      gz.write(data);
    }
    return bos.toByteArray();
  }

  /** A minimal USTAR writer (regular files and directories, fixed owner and time). */
  private static final class Tar {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    void dir(String name) throws IOException {
      header(name, 0, '5', "0000755");
    }

    void file(String name, byte[] content) throws IOException {
      header(name, content.length, '0', name.endsWith(".sh") ? "0000755" : "0000644");
      out.write(content);
      out.write(new byte[(512 - content.length % 512) % 512]);
    }

    byte[] finish() {
      out.write(new byte[1024], 0, 1024);
      return out.toByteArray();
    }

    private void header(String name, long size, char type, String mode) throws IOException {
      byte[] h = new byte[512];
      put(h, 0, name);
      put(h, 100, mode);
      put(h, 108, "0000000");
      put(h, 116, "0000000");
      put(h, 124, String.format("%011o", size));
      put(h, 136, String.format("%011o", 1764288000L));
      h[156] = (byte) type;
      put(h, 257, "ustar");
      put(h, 263, "00");
      put(h, 265, "root");
      put(h, 297, "root");
      java.util.Arrays.fill(h, 148, 156, (byte) ' ');
      long sum = 0;
      for (byte b : h) {
        sum += b & 0xff;
      }
      put(h, 148, String.format("%06o", sum));
      h[154] = 0;
      ((OutputStream) out).write(h);
    }

    private static void put(byte[] h, int off, String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      System.arraycopy(b, 0, h, off, b.length);
    }
  }
}
