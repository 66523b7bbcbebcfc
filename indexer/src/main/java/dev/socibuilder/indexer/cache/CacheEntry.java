package dev.socibuilder.indexer.cache;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.json.GoJsonWriter;
import dev.socibuilder.json.JsonException;
import dev.socibuilder.json.JsonParser;
import dev.socibuilder.json.JsonValue;
import dev.socibuilder.ztoc.CompressionAlgorithm;
import dev.socibuilder.ztoc.GzipZinfo;
import dev.socibuilder.ztoc.InvalidZtocException;
import dev.socibuilder.ztoc.TarZinfo;
import dev.socibuilder.ztoc.Ztoc;
import dev.socibuilder.ztoc.ZtocCodec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One zTOC cache entry: a zTOC's bytes and digest, the id of the {@link CacheKey} it was made for, and
 * where its blob was last pushed (a repository of a registry that holds it, from which another
 * repository of the same registry can mount it; null when unknown).
 *
 * <p>Stored as the line {@code soci-ztoc-cache/1}, one line of JSON
 * ({@code {"key":ID,"ztocDigest":"sha256:..","ztocSize":N,"registry":..,"repository":..}}), then the
 * zTOC's N bytes. Nothing in an entry is trusted: {@link #decode} checks its shape and
 * {@link #verify} that it is the zTOC the key asks for, before anything is built from it.
 *
 * @param keyId the {@link CacheKey#id()} the entry was made for
 * @param ztoc the zTOC's bytes (not copied; do not modify)
 * @param ztocDigest their digest as the entry states it
 * @param registry registry host of the repository the zTOC blob was last pushed to, or null
 * @param repository that repository, or null
 */
public record CacheEntry(String keyId, byte[] ztoc, Digest ztocDigest, String registry, String repository) {

  private static final byte[] MAGIC = (CacheKey.FORMAT + "\n").getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_HEADER_BYTES = 8192;

  public CacheEntry {
    ZtocCache.checkId(keyId);
    Objects.requireNonNull(ztoc, "ztoc");
    if (!Objects.requireNonNull(ztocDigest, "ztocDigest").algorithm().equals("sha256")) {
      throw new IllegalArgumentException("zTOC digest must be sha256, got " + ztocDigest);
    }
    if ((registry == null) != (repository == null)) {
      throw new IllegalArgumentException("registry and repository go together");
    }
  }

  /** A new entry for {@code key}, not yet pushed anywhere known. */
  public static CacheEntry of(CacheKey key, byte[] ztoc, Digest ztocDigest) {
    return new CacheEntry(key.id(), ztoc, ztocDigest, null, null);
  }

  /** This entry, recording that its zTOC blob is now in {@code repository} of {@code registry}. */
  public CacheEntry pushedTo(String registry, String repository) {
    return new CacheEntry(keyId, ztoc, ztocDigest, Objects.requireNonNull(registry, "registry"),
        Objects.requireNonNull(repository, "repository"));
  }

  /** The entry as stored. */
  public byte[] encode() {
    GoJsonWriter w = new GoJsonWriter().beginObject()
        .name("key").value(keyId)
        .name("ztocDigest").value(ztocDigest.toString())
        .name("ztocSize").value(ztoc.length)
        .name("registry");
    if (registry == null) {
      w.nullValue().name("repository").nullValue();
    } else {
      w.value(registry).name("repository").value(repository);
    }
    byte[] header = w.endObject().toByteArray();
    ByteArrayOutputStream out = new ByteArrayOutputStream(MAGIC.length + header.length + 1 + ztoc.length);
    out.writeBytes(MAGIC);
    out.writeBytes(header);
    out.write('\n');
    out.writeBytes(ztoc);
    return out.toByteArray();
  }

  /**
   * Reads a stored entry. Checks its shape only (header, sizes); {@link #verify} checks its zTOC.
   *
   * @throws BadCacheEntryException if {@code stored} is not a whole entry
   */
  public static CacheEntry decode(byte[] stored) {
    if (stored.length < MAGIC.length || !Arrays.equals(stored, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new BadCacheEntryException("not a zTOC cache entry (no " + CacheKey.FORMAT + " header line)");
    }
    int end = -1;
    for (int i = MAGIC.length; i < Math.min(stored.length, MAGIC.length + MAX_HEADER_BYTES); i++) {
      if (stored[i] == '\n') {
        end = i;
        break;
      }
    }
    if (end < 0) {
      throw new BadCacheEntryException("entry header is not terminated within " + MAX_HEADER_BYTES + " bytes");
    }
    JsonValue.JsonObject header;
    try {
      if (!(JsonParser.parse(Arrays.copyOfRange(stored, MAGIC.length, end)) instanceof JsonValue.JsonObject o)) {
        throw new BadCacheEntryException("entry header is not a JSON object");
      }
      header = o;
    } catch (JsonException e) {
      throw new BadCacheEntryException("entry header is not valid JSON: " + e.getMessage(), e);
    }
    String keyId = string(header, "key", true);
    String digest = string(header, "ztocDigest", true);
    String registry = string(header, "registry", false);
    String repository = string(header, "repository", false);
    long size;
    if (header.get("ztocSize") instanceof JsonValue.JsonNumber n && n.isIntegerLiteral()) {
      try {
        size = Long.parseLong(n.text());
      } catch (NumberFormatException e) {
        throw new BadCacheEntryException("entry header has an invalid ztocSize " + n.text(), e);
      }
    } else {
      throw new BadCacheEntryException("entry header has no ztocSize");
    }
    long following = stored.length - end - 1L;
    if (size != following) {
      throw new BadCacheEntryException("entry is truncated or padded: its header says " + size
          + " zTOC bytes, " + following + " follow");
    }
    try {
      return new CacheEntry(keyId, Arrays.copyOfRange(stored, end + 1, stored.length), Digest.parse(digest),
          registry, repository);
    } catch (IllegalArgumentException e) {
      throw new BadCacheEntryException("entry header is invalid: " + e.getMessage(), e);
    }
  }

  /**
   * Checks that this entry holds the zTOC {@code key} asks for, of a layer of {@code layerSize} bytes:
   * made for that key, bytes matching the stated digest, a zTOC soci would accept ({@link ZtocCodec#decode})
   * of that compressed size, compression, span size and build tool.
   *
   * @return the decoded zTOC
   * @throws BadCacheEntryException naming the first check that failed
   */
  public Ztoc verify(CacheKey key, long layerSize) {
    if (!keyId.equals(key.id())) {
      throw new BadCacheEntryException("entry was made for key " + keyId + ", not " + key.id());
    }
    Digest actual = Digest.sha256Of(ztoc);
    if (!actual.equals(ztocDigest)) {
      throw new BadCacheEntryException("zTOC bytes have digest " + actual + ", the entry says " + ztocDigest);
    }
    Ztoc z;
    try {
      z = ZtocCodec.decode(ztoc);
    } catch (InvalidZtocException e) {
      throw new BadCacheEntryException("not a valid zTOC: " + e.getMessage(), e);
    }
    if (z.compressedArchiveSize() != layerSize) {
      throw new BadCacheEntryException("zTOC is of a layer of " + z.compressedArchiveSize() + " bytes, the layer has "
          + layerSize);
    }
    CompressionAlgorithm alg = z.compressionInfo().algorithm();
    if (alg != key.compression()) {
      throw new BadCacheEntryException("zTOC is for " + alg.sociName() + ", not " + key.compression().sociName());
    }
    long span;
    try {
      span = alg == CompressionAlgorithm.GZIP
          ? GzipZinfo.parse(z.compressionInfo().checkpoints()).spanSize()
          : TarZinfo.parse(z.compressionInfo().checkpoints()).spanSize();
    } catch (InvalidZtocException | IllegalArgumentException e) {
      throw new BadCacheEntryException("zTOC checkpoints are invalid: " + e.getMessage(), e);
    }
    if (span != key.spanSize()) {
      throw new BadCacheEntryException("zTOC has span size " + span + ", not " + key.spanSize());
    }
    if (!Arrays.equals(z.buildToolIdentifier(), key.buildTool().getBytes(StandardCharsets.UTF_8))) {
      throw new BadCacheEntryException("zTOC was written by another build tool");
    }
    return z;
  }

  private static String string(JsonValue.JsonObject o, String name, boolean required) {
    JsonValue v = o.get(name);
    if (v instanceof JsonValue.JsonString s) {
      return s.value();
    }
    if (!required && (v == null || v instanceof JsonValue.JsonNull)) {
      return null;
    }
    throw new BadCacheEntryException("entry header has no " + name);
  }
}
