package dev.socibuilder.indexer.store;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.json.JsonException;
import dev.socibuilder.json.JsonParser;
import dev.socibuilder.json.JsonValue;
import dev.socibuilder.json.JsonValue.JsonObject;
import dev.socibuilder.json.JsonValue.JsonString;
import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.oci.ImageIndex;
import dev.socibuilder.oci.MediaTypes;
import dev.socibuilder.oci.OciFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * An OCI image layout directory (image-spec {@code image-layout.md}): an {@code oci-layout} file,
 * an {@code index.json}, and content-addressed blobs under {@code blobs/<algorithm>/<hex>}.
 *
 * <p>Tags are the {@code org.opencontainers.image.ref.name} annotation of {@code index.json}
 * entries. Blob writes are atomic (temporary file in the same directory, then rename) and skipped
 * when the blob already exists, so a crash never leaves a partial blob under its digest name.
 * {@code index.json} is rewritten the same way, keeping its mode; new files get the umask's mode
 * ({@link AtomicFiles}). Not safe for concurrent writers to the same directory.
 *
 * <p>A layout may be hostile too: every file read whole ({@code oci-layout}, {@code index.json},
 * manifests, configs) is read only up to its descriptor's size or {@link #MAX_METADATA_BYTES}, so a
 * huge file or a blob linked to {@code /dev/zero} fails with a clear error instead of exhausting memory.
 */
public final class OciLayout {
  /** The annotation naming an {@code index.json} entry. */
  public static final String REF_NAME = "org.opencontainers.image.ref.name";

  /**
   * The largest {@code index.json}, manifest or config read (32 MiB, as the registry client's manifest
   * limit): about 100,000 {@code index.json} entries.
   */
  public static final int MAX_METADATA_BYTES = 32 << 20;
  /** The largest {@code oci-layout} file read: it holds one short JSON member. */
  private static final int MAX_LAYOUT_FILE_BYTES = 4096;

  private static final String LAYOUT_FILE = "oci-layout";
  private static final String INDEX_FILE = "index.json";
  private static final byte[] LAYOUT_CONTENT =
      "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private final Path root;

  private OciLayout(Path root) {
    this.root = root;
  }

  /**
   * Opens an existing layout.
   *
   * @throws OciLayoutException if {@code oci-layout} or {@code index.json} is missing or invalid
   */
  public static OciLayout open(Path dir) {
    Path layoutFile = dir.resolve(LAYOUT_FILE);
    byte[] layout;
    try {
      layout = readLimited(layoutFile, MAX_LAYOUT_FILE_BYTES, "oci-layout file " + layoutFile);
    } catch (NoSuchFileException e) {
      throw new OciLayoutException("not an OCI image layout (no oci-layout file): " + dir, e);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + layoutFile, e);
    }
    JsonValue v;
    try {
      v = JsonParser.parse(layout);
    } catch (JsonException e) {
      throw new OciLayoutException("oci-layout file " + layoutFile + " is not valid JSON: " + e.getMessage(), e);
    }
    if (!(v instanceof JsonObject o) || !(o.get("imageLayoutVersion") instanceof JsonString s)) {
      throw new OciLayoutException("oci-layout file has no imageLayoutVersion: " + layoutFile);
    }
    if (!s.value().startsWith("1.")) {
      throw new OciLayoutException("unsupported imageLayoutVersion " + s.value() + " in " + layoutFile);
    }
    OciLayout l = new OciLayout(dir);
    l.index(); // fail early on a missing or broken index.json
    return l;
  }

  /** Opens the layout at {@code dir}, creating an empty one (directories included) if there is none. */
  public static OciLayout create(Path dir) {
    try {
      Files.createDirectories(dir.resolve("blobs").resolve("sha256"));
      if (!Files.exists(dir.resolve(LAYOUT_FILE))) {
        AtomicFiles.write(dir.resolve(LAYOUT_FILE), LAYOUT_CONTENT);
      }
      if (!Files.exists(dir.resolve(INDEX_FILE))) {
        AtomicFiles.write(dir.resolve(INDEX_FILE), ImageIndex.of(List.of()).toJson());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("creating OCI layout " + dir, e);
    }
    return open(dir);
  }

  /** The layout directory. */
  public Path root() {
    return root;
  }

  /**
   * The parsed {@code index.json}.
   *
   * @throws OciLayoutException if it is missing, larger than {@link #MAX_METADATA_BYTES} or not an index
   */
  public ImageIndex index() {
    Path p = root.resolve(INDEX_FILE);
    try {
      return ImageIndex.parse(readLimited(p, MAX_METADATA_BYTES, "index.json of OCI layout " + root));
    } catch (OciFormatException e) {
      throw new OciLayoutException("index.json of OCI layout " + root + " is not an image index: " + e.getMessage(),
          e);
    } catch (NoSuchFileException e) {
      throw new OciLayoutException("OCI layout has no index.json: " + root, e);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + p, e);
    }
  }

  /** The tags ({@value #REF_NAME} annotations) in {@code index.json} order. */
  public List<String> tags() {
    List<String> tags = new ArrayList<>();
    for (Descriptor d : index().manifestList()) {
      String t = d.annotation(REF_NAME);
      if (t != null) {
        tags.add(t);
      }
    }
    return tags;
  }

  /**
   * The {@code index.json} entry tagged {@code tag}; with a null tag, the only entry.
   *
   * @throws OciLayoutException if the tag is unknown, or no tag was given and there is not exactly
   *     one entry
   */
  public Descriptor resolve(String tag) {
    List<Descriptor> entries = index().manifestList();
    if (tag == null) {
      if (entries.size() != 1) {
        throw new OciLayoutException(
            "OCI layout " + root + " has " + entries.size() + " entries in index.json; name a tag (one of " + tags() + ")");
      }
      return entries.get(0);
    }
    for (Descriptor d : entries) {
      if (tag.equals(d.annotation(REF_NAME))) {
        return d;
      }
    }
    throw new OciLayoutException("tag " + tag + " not found in OCI layout " + root + " (tags: " + tags() + ")");
  }

  /** Where blob {@code digest} lives (whether or not it exists). */
  public Path blobPath(Digest digest) {
    return root.resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex());
  }

  /** True if blob {@code digest} is present. */
  public boolean hasBlob(Digest digest) {
    return Files.isRegularFile(blobPath(digest));
  }

  /**
   * Opens blob {@code digest} for reading; the caller closes the stream. The content is not
   * verified here (see {@link #readBlob}).
   *
   * @throws OciLayoutException if the blob is missing
   */
  public InputStream openBlob(Digest digest) {
    try {
      return Files.newInputStream(blobPath(digest));
    } catch (NoSuchFileException e) {
      throw new OciLayoutException("blob " + digest + " not found in OCI layout " + root, e);
    } catch (IOException e) {
      throw new UncheckedIOException("opening blob " + digest + " in " + root, e);
    }
  }

  /**
   * {@link #readBlob(Digest, long)} without a descriptor's size: at most {@link #MAX_METADATA_BYTES}.
   *
   * @throws OciLayoutException if missing, larger than {@link #MAX_METADATA_BYTES}, or if the content
   *     does not match the digest
   */
  public byte[] readBlob(Digest digest) {
    return readBlob(digest, -1);
  }

  /**
   * Reads a whole (small) blob and verifies its sha256 digest.
   *
   * @param expectedSize the size its descriptor gives, or -1 when none does; at most {@link
   *     #MAX_METADATA_BYTES} are read in any case
   * @throws OciLayoutException if missing, larger than expected or than {@link #MAX_METADATA_BYTES}, of
   *     another size than expected, or if the content does not match the digest
   */
  public byte[] readBlob(Digest digest, long expectedSize) {
    String what = "blob " + digest + " in OCI layout " + root;
    if (expectedSize > MAX_METADATA_BYTES) {
      throw new OciLayoutException(what + " is " + expectedSize + " bytes by its descriptor, more than the "
          + MAX_METADATA_BYTES + " bytes read whole (a manifest, index or config)");
    }
    byte[] data;
    try (InputStream in = openBlob(digest)) {
      int limit = expectedSize >= 0 ? (int) expectedSize : MAX_METADATA_BYTES;
      data = in.readNBytes(limit + 1);
      if (data.length > limit) {
        throw new OciLayoutException(what + " is larger than "
            + (expectedSize >= 0 ? "its descriptor's " + expectedSize : "the maximum of " + MAX_METADATA_BYTES)
            + " bytes");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading blob " + digest + " in " + root, e);
    }
    if (expectedSize >= 0 && data.length != expectedSize) {
      throw new OciLayoutException(what + " is " + data.length + " bytes, its descriptor says " + expectedSize);
    }
    if (digest.algorithm().equals("sha256") && !Digest.sha256Of(data).equals(digest)) {
      throw new OciLayoutException(
          "blob " + digest + " in OCI layout " + root + " has digest " + Digest.sha256Of(data));
    }
    return data;
  }

  /** Writes {@code data} as a blob (skipped if present) and returns its descriptor. */
  public Descriptor writeBlob(String mediaType, byte[] data) {
    Digest digest = Digest.sha256Of(data);
    Path target = blobPath(digest);
    if (!Files.exists(target)) {
      try {
        AtomicFiles.write(target, data);
      } catch (IOException e) {
        throw new UncheckedIOException("writing blob " + digest + " to " + root, e);
      }
    }
    return Descriptor.of(mediaType, digest, data.length);
  }

  /**
   * Copies a stream into blob {@code expected}, verifying the sha256 digest before the blob becomes
   * visible. Does not close {@code in}. If the blob already exists the stream is not read.
   *
   * @return the number of bytes written, or -1 if the blob was already present
   * @throws OciLayoutException if the content does not match {@code expected}
   */
  public long writeBlob(Digest expected, InputStream in) {
    if (!expected.algorithm().equals("sha256")) {
      throw new IllegalArgumentException("only sha256 blobs can be written: " + expected);
    }
    Path target = blobPath(expected);
    if (Files.exists(target)) {
      return -1;
    }
    long[] n = new long[1];
    try {
      AtomicFiles.write(target, out -> {
        MessageDigest md = Digest.newSha256();
        byte[] buf = new byte[64 * 1024];
        int r;
        while ((r = in.read(buf)) >= 0) {
          md.update(buf, 0, r);
          out.write(buf, 0, r);
          n[0] += r;
        }
        Digest actual = Digest.sha256(md.digest());
        if (!actual.equals(expected)) {
          // Thrown before the rename: the blob never appears under the wrong digest.
          throw new OciLayoutException("blob content has digest " + actual + ", expected " + expected);
        }
      });
      return n[0];
    } catch (IOException e) {
      throw new UncheckedIOException("writing blob " + expected + " to " + root, e);
    }
  }

  /**
   * Points {@code tag} at {@code descriptor} in {@code index.json}: entries already carrying that
   * tag are removed, and the descriptor (with the {@value #REF_NAME} annotation added) is appended.
   * Other entries are kept as they are. With a null tag the descriptor is appended untagged.
   */
  public void tag(String tag, Descriptor descriptor) {
    ImageIndex index = index();
    List<Descriptor> entries = new ArrayList<>();
    for (Descriptor d : index.manifestList()) {
      if (tag == null || !tag.equals(d.annotation(REF_NAME))) {
        entries.add(d);
      }
    }
    entries.add(tag == null ? descriptor : descriptor.withAnnotation(REF_NAME, tag));
    ImageIndex updated =
        new ImageIndex(
            index.schemaVersion() == 0 ? 2 : index.schemaVersion(),
            index.mediaType().isEmpty() ? MediaTypes.OCI_INDEX : index.mediaType(),
            index.artifactType(),
            entries,
            index.subject(),
            index.annotations());
    try {
      AtomicFiles.write(root.resolve(INDEX_FILE), updated.toJson());
    } catch (IOException e) {
      throw new UncheckedIOException("writing index.json of " + root, e);
    }
  }

  /**
   * Replaces {@code index.json} with exactly {@code entries} ({@code soci convert --standalone}
   * writes a single entry: the new OCI index).
   */
  public void replaceIndex(List<Descriptor> entries) {
    try {
      AtomicFiles.write(root.resolve(INDEX_FILE), ImageIndex.of(entries).toJson());
    } catch (IOException e) {
      throw new UncheckedIOException("writing index.json of " + root, e);
    }
  }

  /** The file's bytes, at most {@code limit} of them. */
  private static byte[] readLimited(Path file, int limit, String what) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] data = in.readNBytes(limit + 1);
      if (data.length > limit) {
        throw new OciLayoutException(what + " is larger than " + limit + " bytes");
      }
      return data;
    }
  }
}
