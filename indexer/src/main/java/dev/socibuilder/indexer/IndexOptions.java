package dev.socibuilder.indexer;

import dev.socibuilder.oci.Platform;
import dev.socibuilder.soci.Optimization;
import dev.socibuilder.soci.SociIndex;
import dev.socibuilder.ztoc.ZtocBuilder;
import dev.socibuilder.ztoc.ZtocLimits;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How to index an image.
 *
 * @param version SOCI index v2 (the default: a SOCI-enabled image index under {@code tag + tagSuffix})
 *     or v1 (an index manifest with {@code subject}, found through the referrers API)
 * @param minLayerSize layers strictly smaller get no zTOC (soci's default 10 MiB)
 * @param spanSize uncompressed bytes per span (soci's default 4 MiB)
 * @param platforms the platforms to index; empty means every platform of the image
 * @param tagSuffix appended to the source tag for the v2 image index
 * @param buildTool written into zTOCs and indexes
 * @param force rebuild even when the image already has a matching SOCI index
 * @param zone time zone of the zTOCs' {@code mod_time} texts (UTC, like soci's reference runs)
 * @param parallelism how many layers are indexed at once
 * @param limits what one zTOC build may hold (entries, PAX bytes, zTOC size, smallest span size)
 * @param optimizations soci's {@code --optimizations} (none by default): with {@link Optimization#XATTR}
 *     the zTOC of a layer without extended attributes or opaque whiteouts is marked
 *     {@code com.amazon.soci.disable-xattrs}
 * @param inflateThreads the threads one gzip layer is inflated on, or 0 (the default) for {@link
 *     ZtocBuilder#parallelismFor(long)}'s choice by the layer's size and the processors
 */
public record IndexOptions(
    SociIndex.Version version,
    long minLayerSize,
    long spanSize,
    List<Platform> platforms,
    String tagSuffix,
    String buildTool,
    boolean force,
    ZoneId zone,
    int parallelism,
    ZtocLimits limits,
    Set<Optimization> optimizations,
    int inflateThreads) {

  public IndexOptions {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(buildTool, "buildTool");
    Objects.requireNonNull(zone, "zone");
    platforms = List.copyOf(platforms);
    if (minLayerSize < 0) {
      throw new IllegalArgumentException("min layer size must be >= 0, got " + minLayerSize);
    }
    Objects.requireNonNull(limits, "limits");
    if (spanSize <= 0) {
      throw new IllegalArgumentException("span size must be positive, got " + spanSize);
    }
    limits.checkSpanSize(spanSize);
    if (tagSuffix == null || tagSuffix.isEmpty() || !tagSuffix.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new IllegalArgumentException("tag suffix must be 1-64 of [A-Za-z0-9_.-], got " + tagSuffix);
    }
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be >= 1");
    }
    optimizations = Set.copyOf(optimizations);
    if (inflateThreads < 0) {
      throw new IllegalArgumentException("inflate threads must be >= 0 (0: automatic), got " + inflateThreads);
    }
  }

  /**
   * soci's defaults: v2, 10 MiB minimum, 4 MiB spans, all platforms, suffix {@code -soci}, UTC; the
   * default {@link ZtocLimits}.
   */
  public static IndexOptions defaults(String buildTool) {
    return new IndexOptions(
        SociIndex.Version.V2,
        SociIndex.DEFAULT_MIN_LAYER_SIZE,
        SociIndex.DEFAULT_SPAN_SIZE,
        List.of(),
        "-soci",
        buildTool,
        false,
        ZoneOffset.UTC,
        Math.max(1, Runtime.getRuntime().availableProcessors()),
        ZtocLimits.DEFAULTS,
        Set.of(),
        0);
  }

  public IndexOptions withVersion(SociIndex.Version v) {
    return new IndexOptions(
        v, minLayerSize, spanSize, platforms, tagSuffix, buildTool, force, zone, parallelism, limits, optimizations,
        inflateThreads);
  }

  public IndexOptions withMinLayerSize(long bytes) {
    return new IndexOptions(
        version, bytes, spanSize, platforms, tagSuffix, buildTool, force, zone, parallelism, limits, optimizations,
        inflateThreads);
  }

  public IndexOptions withSpanSize(long bytes) {
    return new IndexOptions(
        version, minLayerSize, bytes, platforms, tagSuffix, buildTool, force, zone, parallelism, limits, optimizations,
        inflateThreads);
  }

  public IndexOptions withPlatforms(List<Platform> p) {
    return new IndexOptions(
        version, minLayerSize, spanSize, p, tagSuffix, buildTool, force, zone, parallelism, limits, optimizations,
        inflateThreads);
  }

  public IndexOptions withTagSuffix(String s) {
    return new IndexOptions(
        version, minLayerSize, spanSize, platforms, s, buildTool, force, zone, parallelism, limits, optimizations,
        inflateThreads);
  }

  public IndexOptions withForce(boolean f) {
    return new IndexOptions(
        version, minLayerSize, spanSize, platforms, tagSuffix, buildTool, f, zone, parallelism, limits, optimizations,
        inflateThreads);
  }

  public IndexOptions withZone(ZoneId z) {
    return new IndexOptions(
        version, minLayerSize, spanSize, platforms, tagSuffix, buildTool, force, z, parallelism, limits, optimizations,
        inflateThreads);
  }

  public IndexOptions withParallelism(int n) {
    return new IndexOptions(
        version, minLayerSize, spanSize, platforms, tagSuffix, buildTool, force, zone, n, limits, optimizations,
        inflateThreads);
  }

  /** These options with other limits (set them before a span size below the default floor). */
  public IndexOptions withLimits(ZtocLimits l) {
    return new IndexOptions(
        version, minLayerSize, spanSize, platforms, tagSuffix, buildTool, force, zone, parallelism, l, optimizations,
        inflateThreads);
  }

  /** These options with gzip layers inflated on {@code n} threads (0: chosen by size, see {@link #inflateThreads}). */
  public IndexOptions withInflateThreads(int n) {
    return new IndexOptions(
        version, minLayerSize, spanSize, platforms, tagSuffix, buildTool, force, zone, parallelism, limits,
        optimizations, n);
  }

  /**
   * The threads a gzip layer of {@code compressedSize} bytes is inflated on under these options: those asked
   * for, up to the available processors, else chosen by size ({@link ZtocBuilder#parallelismFor(int, long)}).
   */
  public int inflateThreadsFor(long compressedSize) {
    return ZtocBuilder.parallelismFor(inflateThreads, compressedSize);
  }

  public IndexOptions withOptimizations(Set<Optimization> o) {
    return new IndexOptions(
        version, minLayerSize, spanSize, platforms, tagSuffix, buildTool, force, zone, parallelism, limits, o,
        inflateThreads);
  }

  /** Whether soci's {@code --optimizations xattr} is on. */
  public boolean disablesXattrs() {
    return optimizations.contains(Optimization.XATTR);
  }
}
