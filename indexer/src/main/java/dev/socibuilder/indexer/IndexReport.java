package dev.socibuilder.indexer;

import dev.socibuilder.json.GoJsonWriter;
import dev.socibuilder.oci.Platform;
import dev.socibuilder.oci.Platforms;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * What indexing an image did: per platform the image manifest, its SOCI index, each zTOC and each
 * skipped layer with its reason; the new image index and tag (v2); the duration.
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

  /** One zTOC built for a layer. */
  public record ZtocReport(String layerDigest, long layerSize, String ztocDigest, long ztocSize, int spans) {}

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
            .endObject();
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
