package dev.socibuilder.indexer.lambda;

import dev.socibuilder.indexer.IndexReport;
import dev.socibuilder.indexer.IndexReport.PlatformReport;
import dev.socibuilder.indexer.IndexReport.SkippedLayer;
import dev.socibuilder.indexer.IndexReport.ZtocReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How one request ended: the handler's response and the detail of the result event.
 *
 * @param outcome {@code indexed}, {@code already_indexed}, {@code soci_enabled_image},
 *     {@code nothing_to_index}, {@code superseded} (the tag moved to another image while this one was
 *     indexed, so {@code <tag><suffix>} was not moved; all successes) or {@code failed}
 * @param retrying for {@code failed}: true when the invocation fails so that Lambda retries it (a transient
 *     failure), false when the failure is permanent and reported only here; always false for successes
 * @param message why, in one sentence (for {@code failed}, the error)
 * @param registry the ECR registry host of the request
 * @param repository the repository
 * @param imageDigest the pushed manifest's digest
 * @param tag the pushed tag, or null
 * @param indexVersion {@code v2} or {@code v1}
 * @param sociIndexDigest the SOCI index manifest of the first (usually only) platform, or null
 * @param sociIndexDigests the SOCI index manifest of every indexed platform
 * @param sociImageIndexDigest v2: the SOCI-enabled image index ({@code newTag} points at it), or null
 * @param newTag v2: the tag of the SOCI-enabled image index, or null
 * @param ztocs how many zTOCs were built
 * @param skippedLayers layers that got no zTOC and why (distinct layers, at most {@value #MAX_SKIPPED_LISTED})
 * @param skippedLayerCount how many distinct layers got no zTOC
 * @param durationMillis how long the request took
 * @param ztocLayers each distinct layer's zTOC (at most {@value #MAX_ZTOCS_LISTED}): {@code source} built or
 *     cached (reused from the zTOC cache), {@code blob} uploaded, mounted or present, and
 *     {@code cacheProblem} only if the zTOC cache had one for this layer
 */
public record IndexerResult(
    String outcome,
    boolean retrying,
    String message,
    String registry,
    String repository,
    String imageDigest,
    String tag,
    String indexVersion,
    String sociIndexDigest,
    List<String> sociIndexDigests,
    String sociImageIndexDigest,
    String newTag,
    int ztocs,
    List<SkippedLayer> skippedLayers,
    int skippedLayerCount,
    long durationMillis,
    List<ZtocReport> ztocLayers) {

  /** The outcome of a request that did not succeed. */
  public static final String FAILED = "failed";
  /** EventBridge takes at most 256 KiB per event: a huge image's skipped layers are listed in part. */
  static final int MAX_SKIPPED_LISTED = 100;
  /** As for skipped layers: an image with hundreds of layers lists the first ones. */
  static final int MAX_ZTOCS_LISTED = 100;

  public IndexerResult {
    sociIndexDigests = List.copyOf(sociIndexDigests);
    skippedLayers = List.copyOf(skippedLayers);
    ztocLayers = List.copyOf(ztocLayers);
  }

  /** A success, from the indexing service's report; {@code note} is appended to its message if given. */
  static IndexerResult of(IndexerRequest request, IndexReport report, String note, Duration duration) {
    List<String> sociIndexes = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    List<SkippedLayer> skipped = new ArrayList<>();
    Map<String, ZtocReport> ztocs = new LinkedHashMap<>();
    for (PlatformReport p : report.platforms()) {
      if (p.sociIndexDigest() != null) {
        sociIndexes.add(p.sociIndexDigest());
      }
      for (ZtocReport z : p.ztocs()) {
        if (ztocs.size() < MAX_ZTOCS_LISTED) {
          ztocs.putIfAbsent(z.layerDigest(), z);
        }
      }
      for (SkippedLayer s : p.skipped()) {
        if (seen.add(s.layerDigest()) && skipped.size() < MAX_SKIPPED_LISTED) {
          skipped.add(s);
        }
      }
    }
    boolean v2 = "v2".equals(report.version());
    return new IndexerResult(
        report.outcome().jsonName(),
        false,
        note == null ? report.message() : report.message() + "; " + note,
        request.getRegistry(),
        request.getRepository(),
        request.getDigest(),
        request.getTag(),
        report.version(),
        sociIndexes.isEmpty() ? null : sociIndexes.get(0),
        sociIndexes,
        v2 ? report.imageIndexDigest() : null,
        v2 ? report.tag() : null,
        report.ztocCount(),
        skipped,
        seen.size(),
        duration.toMillis(),
        List.copyOf(ztocs.values()));
  }

  /** A failure. */
  static IndexerResult failed(IndexerRequest request, String version, String error, boolean retrying,
      Duration duration) {
    return new IndexerResult(FAILED, retrying, error,
        request == null ? null : request.getRegistry(),
        request == null ? null : request.getRepository(),
        request == null ? null : request.getDigest(),
        request == null ? null : request.getTag(),
        version, null, List.of(), null, null, 0, List.of(), 0, duration.toMillis(), List.of());
  }

  /** True unless the outcome is {@code failed}. */
  public boolean succeeded() {
    return !FAILED.equals(outcome);
  }

  /**
   * The result as a JSON-ready map (strings, numbers, booleans, lists, null): the handler's response and
   * the result event's detail. Keys are always present, null when not applicable. Strings from the
   * request are cut as {@link Json#bounded} cuts them: a bad request may carry megabytes.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("outcome", outcome);
    m.put("retrying", retrying);
    m.put("message", bounded(message));
    m.put("registry", bounded(registry));
    m.put("repository", bounded(repository));
    m.put("imageDigest", bounded(imageDigest));
    m.put("tag", bounded(tag));
    m.put("indexVersion", indexVersion);
    m.put("sociIndexDigest", sociIndexDigest);
    m.put("sociIndexDigests", sociIndexDigests);
    m.put("sociImageIndexDigest", sociImageIndexDigest);
    m.put("newTag", newTag);
    m.put("ztocs", (long) ztocs);
    List<Map<String, Object>> layers = new ArrayList<>();
    for (ZtocReport z : ztocLayers) {
      Map<String, Object> l = new LinkedHashMap<>();
      l.put("layerDigest", z.layerDigest());
      l.put("layerSize", z.layerSize());
      l.put("ztocDigest", z.ztocDigest());
      l.put("source", z.source().jsonName());
      // Nested keys without a value are left out, as the runtime's serializer leaves them out of the response.
      if (z.blob() != null) {
        l.put("blob", z.blob().jsonName());
      }
      if (z.cacheProblem() != null) {
        l.put("cacheProblem", z.cacheProblem());
      }
      layers.add(l);
    }
    m.put("ztocLayers", layers);
    List<Map<String, Object>> skipped = new ArrayList<>();
    for (SkippedLayer s : skippedLayers) {
      Map<String, Object> l = new LinkedHashMap<>();
      l.put("layerDigest", s.layerDigest());
      l.put("size", s.size());
      l.put("mediaType", s.mediaType());
      l.put("reason", s.reason());
      skipped.add(l);
    }
    m.put("skippedLayers", skipped);
    m.put("skippedLayerCount", (long) skippedLayerCount);
    m.put("durationMillis", durationMillis);
    return m;
  }

  private static String bounded(String s) {
    return s == null ? null : Json.bounded(s);
  }
}
