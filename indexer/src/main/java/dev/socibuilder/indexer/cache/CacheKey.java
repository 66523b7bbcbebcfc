package dev.socibuilder.indexer.cache;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.json.GoJsonWriter;
import dev.socibuilder.ztoc.CompressionAlgorithm;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.Objects;

/**
 * Everything a zTOC depends on, and so what names it in a {@link ZtocCache}: the layer (its digest), the
 * span size, the build tool identifier written into it, the compression the layer is read with, and the
 * time zone of its {@code mod_time} texts. The builder writes the same bytes for the same key.
 *
 * @param layerDigest the layer blob's digest
 * @param spanSize uncompressed bytes per span
 * @param buildTool the build tool identifier written into the zTOC
 * @param compression gzip or uncompressed
 * @param zone the zone of the {@code mod_time} texts; zones with fixed offsets are equal to their offset
 *     ({@code UTC} and {@code Z} are one key)
 */
public record CacheKey(Digest layerDigest, long spanSize, String buildTool, CompressionAlgorithm compression,
    ZoneId zone) {

  /** Names the entry format and the key's meaning; a change gives every key a new id. */
  static final String FORMAT = "soci-ztoc-cache/1";

  public CacheKey {
    Objects.requireNonNull(layerDigest, "layerDigest");
    Objects.requireNonNull(buildTool, "buildTool");
    Objects.requireNonNull(compression, "compression");
    zone = Objects.requireNonNull(zone, "zone").normalized();
    if (spanSize <= 0) {
      throw new IllegalArgumentException("span size must be positive, got " + spanSize);
    }
  }

  /**
   * The key as one JSON array ({@code ["soci-ztoc-cache/1","sha256:..",4194304,"tool","gzip","Z"]}):
   * unambiguous whatever characters the build tool identifier holds.
   */
  public String canonical() {
    GoJsonWriter w = new GoJsonWriter().beginArray()
        .value(FORMAT)
        .value(layerDigest.toString())
        .value(spanSize)
        .value(buildTool)
        .value(compression.sociName())
        .value(zone.getId())
        .endArray();
    return new String(w.toByteArray(), StandardCharsets.UTF_8);
  }

  /** The entry's name in a cache: the hex sha256 of {@link #canonical()} (64 characters). */
  public String id() {
    return Digest.sha256Of(canonical().getBytes(StandardCharsets.UTF_8)).hex();
  }
}
