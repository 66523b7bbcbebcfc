package dev.socibuilder.cli;

import dev.socibuilder.cli.args.Option;
import dev.socibuilder.cli.args.UsageException;
import dev.socibuilder.cli.args.Values;
import dev.socibuilder.indexer.IndexOptions;
import dev.socibuilder.indexer.cache.DirectoryZtocCache;
import dev.socibuilder.indexer.cache.ZtocCache;
import dev.socibuilder.oci.Platform;
import dev.socibuilder.oci.Platforms;
import dev.socibuilder.soci.Optimization;
import dev.socibuilder.soci.SociIndex;
import dev.socibuilder.ztoc.BuildInfo;
import dev.socibuilder.ztoc.ZtocLimits;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How to index, shared by every command that indexes images ({@code index}, and any command that indexes
 * many): the SOCI index version, span and minimum layer size, platforms, tag suffix, build tool id, force,
 * time zone, zTOC limits, soci's optimizations, and the zTOC cache folder.
 */
final class IndexingOptions {
  /** The environment variable naming the zTOC cache folder when {@code --ztoc-cache} is not given. */
  static final String ZTOC_CACHE_ENV = "SOCI_BUILDER_ZTOC_CACHE";

  /** The options, for the commands that index. */
  static final List<Option> OPTIONS = List.of(
      Option.of("--index-version", "v2|v1", "SOCI index version (default: ${DEFAULT-VALUE}).").withDefault("v2"),
      Option.of("--min-layer-size", "BYTES", "Layers smaller than this get no zTOC (default: ${DEFAULT-VALUE}).")
          .withDefault("10485760"),
      Option.of("--span-size", "BYTES", "Uncompressed bytes per span (default: ${DEFAULT-VALUE}).")
          .withDefault("4194304"),
      Option.of("--platform", "OS/ARCH[/VARIANT]",
          "Index only this platform of a multi-platform image (repeatable).").asRepeatable(),
      Option.flag("--all-platforms", "Index every platform of a multi-platform image (the default)."),
      Option.of("--tag-suffix", "SUFFIX", "v2: the SOCI-enabled image is tagged TAG+SUFFIX (default: ${DEFAULT-VALUE}).")
          .withDefault("-soci"),
      Option.of("--build-tool", "ID",
          "Build tool identifier written into zTOCs and indexes (default: this tool's name and version)."),
      Option.flag("--force", "Rebuild even if the image already has a matching SOCI index."),
      Option.of("--time-zone", "ZONE", "Time zone of the zTOCs' mod_time texts (default: ${DEFAULT-VALUE}).")
          .withDefault("UTC"),
      Option.of("--optimizations", "NAME", "A soci index optimization (repeatable; off by default, as in soci). The "
          + "only one: xattr, which marks the zTOCs of layers without extended attributes "
          + "(com.amazon.soci.disable-xattrs) so that the snapshotter skips xattr lookups on their files.")
          .asRepeatable(),
      Option.of("--ztoc-cache", "DIR", "Reuse zTOCs from this folder and store new ones there, so that a layer "
          + "shared by images or repositories is indexed once (default: $" + ZTOC_CACHE_ENV + ", else no cache)."),
      Option.of("--limits", "NAME=VALUE[,...]", IndexingOptions.LIMITS_DESCRIPTION).withDefault(""),
      Option.of("--inflate-threads", "N", IndexingOptions.INFLATE_THREADS_DESCRIPTION));

  String indexVersion;
  long minLayerSize;
  long spanSize;
  final List<String> platforms = new ArrayList<>();
  boolean allPlatforms;
  String tagSuffix;
  String buildTool;
  boolean force;
  String timeZone;
  final List<String> optimizations = new ArrayList<>();
  Path ztocCacheDir;
  String limits;
  Integer inflateThreads;

  /**
   * Takes the value of one of {@link #OPTIONS}.
   *
   * @return false if {@code key} is none of them
   * @throws IllegalArgumentException for a value that is not valid
   */
  boolean set(String key, String value) {
    switch (key) {
      case "--index-version" -> indexVersion = value;
      case "--min-layer-size" -> minLayerSize = Values.toLong(value);
      case "--span-size" -> spanSize = Values.toLong(value);
      case "--platform" -> platforms.add(value);
      case "--all-platforms" -> allPlatforms = Boolean.parseBoolean(value);
      case "--tag-suffix" -> tagSuffix = value;
      case "--build-tool" -> buildTool = value;
      case "--force" -> force = Boolean.parseBoolean(value);
      case "--time-zone" -> timeZone = value;
      case "--optimizations" -> optimizations.add(value);
      case "--ztoc-cache" -> ztocCacheDir = Path.of(value);
      case "--limits" -> limits = value;
      case "--inflate-threads" -> inflateThreads = Values.toInt(value);
      default -> {
        return false;
      }
    }
    return true;
  }

  /**
   * The zTOC cache: {@code --ztoc-cache}, else the folder named by {@value #ZTOC_CACHE_ENV} in {@code env}
   * (if set and not blank), else none.
   *
   * @return the cache, or null for none
   */
  ZtocCache ztocCache(Map<String, String> env) {
    if (ztocCacheDir != null) {
      return new DirectoryZtocCache(ztocCacheDir);
    }
    String fromEnv = env.get(ZTOC_CACHE_ENV);
    return fromEnv == null || fromEnv.isBlank() ? null : new DirectoryZtocCache(Path.of(fromEnv.strip()));
  }

  /** The description of {@code --inflate-threads}, shared with {@code ztoc create}. */
  static final String INFLATE_THREADS_DESCRIPTION = "Threads one gzip layer is inflated on, at most the "
      + "processors (default: every processor for a layer of 32 MiB or more when there are 4 or more, for "
      + "256 MiB or more on 2-3, else 1). The zTOC is the same on any number.";

  /** The description of {@code --limits}, shared with {@code ztoc create}. */
  static final String LIMITS_DESCRIPTION = "Limits of one zTOC build: toc-entries (tar entries), xattr-bytes "
      + "(PAX record bytes), ztoc-bytes (zTOC size), min-span-size (smallest --span-size); sizes may end in "
      + "KiB, MiB or GiB (default: toc-entries=4194304,xattr-bytes=256MiB,ztoc-bytes=512MiB,min-span-size=1024).";

  /**
   * The threads of {@code --inflate-threads}, or 0 if it is not given (the choice by size).
   *
   * @throws UsageException if it is below 1
   */
  static int inflateThreads(Integer asked) {
    if (asked == null) {
      return 0;
    }
    if (asked < 1) {
      throw new UsageException("--inflate-threads must be at least 1");
    }
    return asked;
  }

  /**
   * The limits of {@code --limits}.
   *
   * @throws UsageException if they do not parse
   */
  static ZtocLimits limits(String text) {
    try {
      return ZtocLimits.parse(text);
    } catch (IllegalArgumentException e) {
      throw new UsageException("invalid --limits: " + e.getMessage());
    }
  }

  /**
   * The options as the indexing service takes them.
   *
   * @throws UsageException for a value that is not valid
   */
  IndexOptions toIndexOptions() {
    SociIndex.Version version = switch (indexVersion.toLowerCase(Locale.ROOT)) {
      case "v2" -> SociIndex.Version.V2;
      case "v1" -> SociIndex.Version.V1;
      default -> throw new UsageException("--index-version must be v2 or v1, got " + indexVersion);
    };
    if (spanSize <= 0) {
      throw new UsageException("--span-size must be positive");
    }
    if (minLayerSize < 0) {
      throw new UsageException("--min-layer-size must be >= 0");
    }
    if (allPlatforms && !platforms.isEmpty()) {
      throw new UsageException("--all-platforms and --platform are exclusive");
    }
    List<Platform> wanted = new ArrayList<>();
    for (String p : platforms) {
      try {
        wanted.add(Platforms.parse(p));
      } catch (IllegalArgumentException e) {
        throw new UsageException("invalid --platform " + p + ": " + e.getMessage());
      }
    }
    Set<Optimization> wantedOptimizations = EnumSet.noneOf(Optimization.class);
    for (String o : optimizations) {
      try {
        wantedOptimizations.add(Optimization.parse(o));
      } catch (IllegalArgumentException e) {
        throw new UsageException("--optimizations: " + e.getMessage());
      }
    }
    ZoneId zone;
    try {
      zone = ZoneId.of(timeZone);
    } catch (DateTimeException e) {
      throw new UsageException("unknown time zone: " + timeZone);
    }
    ZtocLimits ztocLimits = limits(limits);
    int threads = inflateThreads(inflateThreads);
    try {
      return IndexOptions.defaults(buildTool != null ? buildTool : BuildInfo.defaultBuildTool())
          .withLimits(ztocLimits)
          .withVersion(version)
          .withMinLayerSize(minLayerSize)
          .withSpanSize(spanSize)
          .withPlatforms(wanted)
          .withTagSuffix(tagSuffix)
          .withForce(force)
          .withZone(zone)
          .withOptimizations(wantedOptimizations)
          .withInflateThreads(threads);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }
}
