package dev.socibuilder.cli;

import dev.socibuilder.indexer.IndexOptions;
import dev.socibuilder.indexer.cache.DirectoryZtocCache;
import dev.socibuilder.indexer.cache.ZtocCache;
import dev.socibuilder.oci.Platform;
import dev.socibuilder.oci.Platforms;
import dev.socibuilder.soci.Optimization;
import dev.socibuilder.soci.SociIndex;
import dev.socibuilder.ztoc.BuildInfo;
import java.nio.file.Path;
import dev.socibuilder.ztoc.ZtocLimits;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * How to index, shared by every command that indexes images ({@code index}, and any command that indexes
 * many): the SOCI index version, span and minimum layer size, platforms, tag suffix, build tool id, force,
 * time zone, zTOC limits, soci's optimizations, and the zTOC cache folder.
 */
final class IndexingOptions {
  @Option(names = "--index-version", paramLabel = "v2|v1", defaultValue = "v2",
      description = "SOCI index version (default: ${DEFAULT-VALUE}).")
  String indexVersion;

  @Option(names = "--min-layer-size", paramLabel = "BYTES", defaultValue = "10485760",
      description = "Layers smaller than this get no zTOC (default: ${DEFAULT-VALUE}).")
  long minLayerSize;

  @Option(names = "--span-size", paramLabel = "BYTES", defaultValue = "4194304",
      description = "Uncompressed bytes per span (default: ${DEFAULT-VALUE}).")
  long spanSize;

  @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]",
      description = "Index only this platform of a multi-platform image (repeatable).")
  List<String> platforms = new ArrayList<>();

  @Option(names = "--all-platforms",
      description = "Index every platform of a multi-platform image (the default).")
  boolean allPlatforms;

  @Option(names = "--tag-suffix", paramLabel = "SUFFIX", defaultValue = "-soci",
      description = "v2: the SOCI-enabled image is tagged TAG+SUFFIX (default: ${DEFAULT-VALUE}).")
  String tagSuffix;

  @Option(names = "--build-tool", paramLabel = "ID",
      description = "Build tool identifier written into zTOCs and indexes (default: this tool's name and version).")
  String buildTool;

  @Option(names = "--force", description = "Rebuild even if the image already has a matching SOCI index.")
  boolean force;

  @Option(names = "--time-zone", paramLabel = "ZONE", defaultValue = "UTC",
      description = "Time zone of the zTOCs' mod_time texts (default: ${DEFAULT-VALUE}).")
  String timeZone;

  @Option(names = "--optimizations", paramLabel = "NAME",
      description = "A soci index optimization (repeatable; off by default, as in soci). The only one: xattr, which "
          + "marks the zTOCs of layers without extended attributes (com.amazon.soci.disable-xattrs) so that the "
          + "snapshotter skips xattr lookups on their files.")
  List<String> optimizations = new ArrayList<>();

  /** The environment variable naming the zTOC cache folder when {@code --ztoc-cache} is not given. */
  static final String ZTOC_CACHE_ENV = "SOCI_BUILDER_ZTOC_CACHE";

  @Option(names = "--ztoc-cache", paramLabel = "DIR",
      description = "Reuse zTOCs from this folder and store new ones there, so that a layer shared by images "
          + "or repositories is indexed once (default: $" + ZTOC_CACHE_ENV + ", else no cache).")
  Path ztocCacheDir;

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

  @Option(names = "--limits", paramLabel = "NAME=VALUE[,...]", defaultValue = "",
      description = LIMITS_DESCRIPTION)
  String limits;

  @Option(names = "--inflate-threads", paramLabel = "N", description = INFLATE_THREADS_DESCRIPTION)
  Integer inflateThreads;

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
   * @throws CommandLine.ParameterException (a usage error) if it is below 1
   */
  static int inflateThreads(CommandLine.Model.CommandSpec spec, Integer asked) {
    if (asked == null) {
      return 0;
    }
    if (asked < 1) {
      throw usage(spec, "--inflate-threads must be at least 1");
    }
    return asked;
  }

  /**
   * The limits of {@code --limits}.
   *
   * @throws CommandLine.ParameterException (a usage error) if they do not parse
   */
  static ZtocLimits limits(CommandLine.Model.CommandSpec spec, String text) {
    try {
      return ZtocLimits.parse(text);
    } catch (IllegalArgumentException e) {
      throw usage(spec, "invalid --limits: " + e.getMessage());
    }
  }

  /**
   * The options as the indexing service takes them.
   *
   * @throws CommandLine.ParameterException (a usage error, exit 2) for a value that is not valid
   */
  IndexOptions toIndexOptions(CommandLine.Model.CommandSpec spec) {
    SociIndex.Version version = switch (indexVersion.toLowerCase(Locale.ROOT)) {
      case "v2" -> SociIndex.Version.V2;
      case "v1" -> SociIndex.Version.V1;
      default -> throw usage(spec, "--index-version must be v2 or v1, got " + indexVersion);
    };
    if (spanSize <= 0) {
      throw usage(spec, "--span-size must be positive");
    }
    if (minLayerSize < 0) {
      throw usage(spec, "--min-layer-size must be >= 0");
    }
    if (allPlatforms && !platforms.isEmpty()) {
      throw usage(spec, "--all-platforms and --platform are exclusive");
    }
    List<Platform> wanted = new ArrayList<>();
    for (String p : platforms) {
      try {
        wanted.add(Platforms.parse(p));
      } catch (IllegalArgumentException e) {
        throw usage(spec, "invalid --platform " + p + ": " + e.getMessage());
      }
    }
    Set<Optimization> wantedOptimizations = EnumSet.noneOf(Optimization.class);
    for (String o : optimizations) {
      try {
        wantedOptimizations.add(Optimization.parse(o));
      } catch (IllegalArgumentException e) {
        throw usage(spec, "--optimizations: " + e.getMessage());
      }
    }
    ZoneId zone;
    try {
      zone = ZoneId.of(timeZone);
    } catch (DateTimeException e) {
      throw usage(spec, "unknown time zone: " + timeZone);
    }
    ZtocLimits ztocLimits = limits(spec, limits);
    int threads = inflateThreads(spec, inflateThreads);
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
      throw usage(spec, e.getMessage());
    }
  }

  static CommandLine.ParameterException usage(CommandLine.Model.CommandSpec spec, String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
