package dev.socibuilder.indexer;

import dev.socibuilder.json.GoJsonWriter;
import dev.socibuilder.oci.Platform;
import dev.socibuilder.oci.Platforms;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What indexing an image did: per platform the image manifest, its SOCI index, each zTOC (built or
 * reused from the zTOC cache; its blob uploaded, mounted or already present) and each skipped layer with
 * its reason; the new image index and tag (v2); the duration.
 *
 * @param image the image as given (store name and reference)
 * @param outcome what happened
 * @param message one human sentence saying why (e.g. "already indexed: ...")
 * @param version {@code v1} or {@code v2}
 * @param platforms one entry per platform considered
 * @param imageIndexDigest v2: the digest of the new SOCI-enabled image index (or the existing one)
 * @param tag v2: the tag that now points at it; null for a digest reference
 */
public record IndexReport(
    String image,
    Outcome outcome,
    String message,
    String version,
    List<PlatformReport> platforms,
    String imageIndexDigest,
    String tag,
    Duration duration) {

  public IndexReport {
    platforms = List.copyOf(platforms);
  }

  /** How a request ended; all are successes (failures are exceptions). */
  public enum Outcome {
    /** SOCI artifacts were built and published. */
    INDEXED,
    /** A matching SOCI index already existed; nothing was built or pushed. */
    ALREADY_INDEXED,
    /** The image is itself SOCI-enabled or a SOCI artifact (e.g. this builder's own output); left alone. */
    SOCI_ENABLED_IMAGE,
    /** No layer qualifies for a zTOC (all too small or unsupported); nothing was pushed. */
    NOTHING_TO_INDEX,
    /**
     * The source tag moved to another image while this one was indexed, so {@code <tag><suffix>} was left
     * as it was rather than pointed at an index of a stale image. The zTOCs, SOCI index manifests and
     * rewritten image manifests already pushed are content-addressed and harmless: nothing refers to
     * them. The tag's new image is indexed by its own run (its own push event).
     */
    SUPERSEDED;

    public String jsonName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** One platform's result. {@code sociIndexDigest} is null when no zTOC was built for it. */
  public record PlatformReport(
      Platform platform,
      String manifestDigest,
      String sociIndexDigest,
      List<ZtocReport> ztocs,
      List<SkippedLayer> skipped) {
    public PlatformReport {
      ztocs = List.copyOf(ztocs);
      skipped = List.copyOf(skipped);
    }
  }

  /**
   * One layer's zTOC.
   *
   * @param source whether the zTOC was built from the layer or reused from the zTOC cache
   * @param blob how its blob got into the target: uploaded, mounted from another repository of the
   *     registry, or already present; null until published
   * @param cacheProblem what went wrong with the zTOC cache for this layer (unavailable, a bad entry
   *     deleted, an entry not stored), in one line; null if nothing did or no cache is used
   */
  public record ZtocReport(String layerDigest, long layerSize, String ztocDigest, long ztocSize, int spans,
      ZtocSource source, BlobOutcome blob, String cacheProblem) {

    public ZtocReport {
      Objects.requireNonNull(source, "source");
    }

    /** A zTOC built from the layer, not yet published. */
    public ZtocReport(String layerDigest, long layerSize, String ztocDigest, long ztocSize, int spans) {
      this(layerDigest, layerSize, ztocDigest, ztocSize, spans, ZtocSource.BUILT, null, null);
    }

    /** This report with how the blob was published. */
    public ZtocReport withBlob(BlobOutcome b) {
      return new ZtocReport(layerDigest, layerSize, ztocDigest, ztocSize, spans, source, b, cacheProblem);
    }

    /** This report with one more cache problem (joined to any earlier one with "; "). */
    public ZtocReport withCacheProblem(String problem) {
      if (problem == null) {
        return this;
      }
      String all = cacheProblem == null ? problem : cacheProblem + "; " + problem;
      return new ZtocReport(layerDigest, layerSize, ztocDigest, ztocSize, spans, source, blob, all);
    }
  }

  /** Where a zTOC came from. */
  public enum ZtocSource {
    /** Built from the layer's bytes. */
    BUILT,
    /** Reused from the zTOC cache, after verification; the layer was not read. */
    CACHED;

    public String jsonName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** How a zTOC blob got into the target. */
  public enum BlobOutcome {
    /** Its bytes were sent. */
    UPLOADED,
    /** Mounted from another repository of the same registry: no bytes sent. */
    MOUNTED,
    /** The target already had it. */
    PRESENT;

    public String jsonName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** A layer that got no zTOC, and why. */
  public record SkippedLayer(String layerDigest, long size, String mediaType, String reason) {}

  public int ztocCount() {
    return platforms.stream().mapToInt(p -> p.ztocs().size()).sum();
  }

  /** The report as compact JSON (for {@code --json} and the result event). */
  public String toJson() {
    GoJsonWriter w = new GoJsonWriter().beginObject();
    w.name("image").value(image);
    w.name("outcome").value(outcome.jsonName());
    w.name("message").value(message);
    w.name("indexVersion").value(version);
    w.name("platforms").beginArray();
    for (PlatformReport p : platforms) {
      w.beginObject();
      w.name("platform").value(p.platform() == null ? "" : Platforms.format(p.platform()));
      w.name("manifestDigest").value(p.manifestDigest());
      w.name("sociIndexDigest");
      if (p.sociIndexDigest() == null) {
        w.nullValue();
      } else {
        w.value(p.sociIndexDigest());
      }
      w.name("ztocs").beginArray();
      for (ZtocReport z : p.ztocs()) {
        w.beginObject()
            .name("layerDigest").value(z.layerDigest())
            .name("layerSize").value(z.layerSize())
            .name("ztocDigest").value(z.ztocDigest())
            .name("ztocSize").value(z.ztocSize())
            .name("spans").value(z.spans())
            .name("source").value(z.source().jsonName())
            .name("blob");
        if (z.blob() == null) {
          w.nullValue();
        } else {
          w.value(z.blob().jsonName());
        }
        w.name("cacheProblem");
        if (z.cacheProblem() == null) {
          w.nullValue();
        } else {
          w.value(z.cacheProblem());
        }
        w.endObject();
      }
      w.endArray();
      w.name("skippedLayers").beginArray();
      for (SkippedLayer s : p.skipped()) {
        w.beginObject()
            .name("layerDigest").value(s.layerDigest())
            .name("size").value(s.size())
            .name("mediaType").value(s.mediaType())
            .name("reason").value(s.reason())
            .endObject();
      }
      w.endArray();
      w.endObject();
    }
    w.endArray();
    w.name("imageIndexDigest");
    if (imageIndexDigest == null) {
      w.nullValue();
    } else {
      w.value(imageIndexDigest);
    }
    w.name("tag");
    if (tag == null) {
      w.nullValue();
    } else {
      w.value(tag);
    }
    w.name("durationMillis").value(duration.toMillis());
    w.endObject();
    return new String(w.toByteArray(), StandardCharsets.UTF_8);
  }
}
