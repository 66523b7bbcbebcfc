package dev.socibuilder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socibuilder.indexer.cache.DirectoryZtocCache;
import dev.socibuilder.indexer.cache.ZtocCache;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class IndexingOptionsTest {

  private static IndexingOptions parse(String... args) {
    IndexCommand command = new IndexCommand();
    new CommandLine(command).parseArgs(args);
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
  void helpNamesTheFlagAndTheVariable() {
    String usage = new CommandLine(new IndexCommand()).getUsageMessage();

    assertThat(usage).contains("--ztoc-cache=DIR").contains("$SOCI_BUILDER_ZTOC_CACHE");
  }
}
