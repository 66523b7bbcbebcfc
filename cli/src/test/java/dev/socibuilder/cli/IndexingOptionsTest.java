package dev.socibuilder.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.cli.args.Cli;
import dev.socibuilder.cli.args.Help;
import dev.socibuilder.cli.args.UsageException;
import dev.socibuilder.indexer.IndexOptions;
import dev.socibuilder.indexer.cache.DirectoryZtocCache;
import dev.socibuilder.indexer.cache.ZtocCache;
import dev.socibuilder.soci.Optimization;
import dev.socibuilder.ztoc.ZtocBuilder;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IndexingOptionsTest {

  private static IndexingOptions parse(String... args) {
    IndexCommand command = new IndexCommand();
    Cli.parse(command, args);
    return command.indexing;
  }

  @Test
  void zTocCacheComesFromTheFlag() {
    ZtocCache cache = parse("oci:x", "--ztoc-cache", "/var/cache/ztoc")
        .ztocCache(Map.of("SOCI_BUILDER_ZTOC_CACHE", "/from/env"));

    assertThat(cache).isInstanceOfSatisfying(DirectoryZtocCache.class,
        c -> assertThat(c.root()).isEqualTo(Path.of("/var/cache/ztoc")));
  }

  @Test
  void zTocCacheComesFromTheEnvironmentWithoutTheFlag() {
    ZtocCache cache = parse("oci:x").ztocCache(Map.of("SOCI_BUILDER_ZTOC_CACHE", " /from/env "));

    assertThat(cache).isInstanceOfSatisfying(DirectoryZtocCache.class,
        c -> assertThat(c.root()).isEqualTo(Path.of("/from/env")));
  }

  @Test
  void noFlagAndNoOrABlankVariableMeansNoCache() {
    assertThat(parse("oci:x").ztocCache(Map.of())).isNull();
    assertThat(parse("oci:x").ztocCache(Map.of("SOCI_BUILDER_ZTOC_CACHE", " "))).isNull();
  }

  @Test
  void inflateThreadsAreChosenBySizeUnlessGiven() {
    IndexOptions auto = parse("oci:x").toIndexOptions();
    assertThat(auto.inflateThreads()).isZero();
    assertThat(auto.inflateThreadsFor(1 << 20)).isEqualTo(1); // a small layer: one thread on any machine
    assertThat(auto.inflateThreadsFor(1L << 30)).isEqualTo(ZtocBuilder.parallelismFor(1L << 30));

    int processors = Runtime.getRuntime().availableProcessors();
    IndexOptions two = parse("oci:x", "--inflate-threads", "2").toIndexOptions();
    assertThat(two.inflateThreads()).isEqualTo(2);
    assertThat(two.inflateThreadsFor(1 << 20)).isEqualTo(Math.min(2, processors));
    assertThat(two.inflateThreadsFor(1L << 30)).isEqualTo(Math.min(2, processors));

    // More than the processors would only take memory (a chunk buffer per thread).
    IndexOptions many = parse("oci:x", "--inflate-threads", "100000").toIndexOptions();
    assertThat(many.inflateThreadsFor(1L << 30)).isEqualTo(processors);

    assertThatThrownBy(() -> parse("oci:x", "--inflate-threads", "0").toIndexOptions())
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("--inflate-threads must be at least 1");
  }

  @Test
  void optimizationsAreOffByDefaultAndXattrIsTheOneThereIs() {
    assertThat(parse("oci:x").toIndexOptions().optimizations()).isEmpty();
    assertThat(parse("oci:x").toIndexOptions().disablesXattrs()).isFalse();

    IndexOptions on = parse("oci:x", "--optimizations", "xattr", "--optimizations=xattr").toIndexOptions();
    assertThat(on.optimizations()).containsExactly(Optimization.XATTR);
    assertThat(on.disablesXattrs()).isTrue();
  }

  @Test
  void anUnknownOptimizationIsAUsageError() {
    assertThatThrownBy(() -> parse("oci:x", "--optimizations", "Xattr").toIndexOptions())
        .isInstanceOf(UsageException.class)
        .hasMessage("--optimizations: unknown optimization 'Xattr' (valid: xattr)");
  }

  @Test
  void helpNamesTheFlagAndTheVariable() {
    String usage = Help.usage(new IndexCommand(), "soci-builder index");

    assertThat(usage).contains("--ztoc-cache=DIR").contains("$SOCI_BUILDER_ZTOC_CACHE")
        .contains("--optimizations=NAME");
  }
}
