package dev.socibuilder.indexer.backfill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.filter.rules.FilterRules;
import dev.socibuilder.indexer.IndexOptions;
import dev.socibuilder.indexer.backfill.ImageResult.Status;
import dev.socibuilder.registry.CatalogUnsupportedException;
import dev.socibuilder.registry.Credentials;
import dev.socibuilder.registry.CredentialsProvider;
import dev.socibuilder.registry.Listing;
import dev.socibuilder.registry.RegistryClient;
import dev.socibuilder.registry.RetryPolicy;
import dev.socibuilder.soci.SociIndex;
import dev.socibuilder.testing.registry.RegistryServer;
import dev.socibuilder.testing.registry.TestImages;
import dev.socibuilder.testing.registry.TestImages.LayerSpec;
import dev.socibuilder.testing.registry.TestImages.TestImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backfill against a real registry (Distribution 2.8) holding several repositories and tags: a good image
 * under several tags, an excluded repository and tag, an image with nothing to index, and one whose layer is
 * not a tar archive. The catalog is listed two names per page.
 */
class BackfillTest {
  static final String FILTERS = "*:*,!team/secret:*,!*:dev-*";

  @TempDir
  static Path tmp;

  static TestImage good;
  static TestImage small;

  RegistryServer registry;
  RegistryClient client;

  @BeforeAll
  static void writeImages() {
    good = TestImages.singlePlatform(tmp.resolve("good"), "v1", LayerSpec.incompressible(256 << 10, 1),
        LayerSpec.compressible(1024, 2));
    small = TestImages.singlePlatform(tmp.resolve("small"), "v1", LayerSpec.compressible(1024, 3));
  }

  @BeforeEach
  void startRegistry() {
    registry = RegistryServer.anonymous().start();
    client = new RegistryClient(null, new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(50)), true,
        Duration.ofSeconds(10));
    Pushes.push(client, host(), good, "team/app", "v1", "v2", "dev-1");
    Pushes.push(client, host(), good, "team/secret", "v1");
    Pushes.push(client, host(), small, "tools/small", "v1");
    Pushes.pushCorrupt(client, host(), "team/broken", "v1", 200 << 10);
  }

  @AfterEach
  void stopRegistry() {
    client.close();
    registry.close();
  }

  String host() {
    return registry.hostPort();
  }

  static IndexOptions indexOptions() {
    return IndexOptions.defaults("backfill test").withMinLayerSize(64 << 10).withSpanSize(64 << 10)
        .withParallelism(2);
  }

  static BackfillOptions backfillOptions() {
    return BackfillOptions.defaults().withFilters(FilterRules.parse(FILTERS)).withConcurrency(2)
        .withListing(Listing.defaults().withPageSize(2));
  }

  BackfillReport run(IndexOptions options, BackfillOptions backfill, String repository) {
    return new Backfill(client, options, backfill, null).run(host(), repository);
  }

  static Map<String, String> outcomes(BackfillReport report) {
    return report.images().stream().collect(Collectors.toMap(ImageResult::image, ImageResult::outcome));
  }

  static Map<String, ImageResult> byImage(BackfillReport report) {
    return report.images().stream().collect(Collectors.toMap(ImageResult::image, Function.identity()));
  }

  @Test
  void indexesEverySelectedImageAndReportsEveryOther() {
    BackfillReport report = run(indexOptions(), backfillOptions(), null);

    assertThat(outcomes(report)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "team/app:dev-1", "excluded",
        "team/app:v1", "indexed",
        "team/app:v2", "indexed",
        "team/broken:v1", "failed",
        "team/secret", "excluded",
        "tools/small:v1", "nothing_to_index"));
    Map<String, ImageResult> images = byImage(report);
    assertThat(images.get("team/app:dev-1").reason()).isEqualTo("excluded by filter !*:dev-*");
    assertThat(images.get("team/secret").reason()).contains("no filter selects a tag of this repository");
    assertThat(images.get("team/broken:v1").reason()).contains("team/broken:v1").contains("layer");
    assertThat(images.get("team/app:v1").report().tag()).isEqualTo("v1-soci");
    assertThat(report.counts()).containsEntry("indexed", 2).containsEntry("failed", 1);
    assertThat(report.failures()).extracting(ImageResult::image).containsExactly("team/broken:v1");
    assertThat(client.listTags(host(), "team/app", Listing.defaults()))
        .containsExactlyInAnyOrder("v1", "v2", "dev-1", "v1-soci", "v2-soci");
    assertThat(client.listTags(host(), "team/secret", Listing.defaults())).containsExactly("v1");
    assertThat(client.listTags(host(), "team/broken", Listing.defaults())).containsExactly("v1");
  }

  @Test
  void aSecondRunIndexesNothingAndForceRebuilds() {
    run(indexOptions(), backfillOptions(), null);
    String sociDigest = client.getManifest(host(), "team/app", "v1-soci", null).digest().toString();

    BackfillReport again = run(indexOptions(), backfillOptions(), null);

    assertThat(outcomes(again)).containsEntry("team/app:v1", "already_indexed")
        .containsEntry("team/app:v2", "already_indexed")
        .containsEntry("team/app:v1-soci", "skipped")
        .containsEntry("team/app:v2-soci", "skipped")
        .containsEntry("tools/small:v1", "nothing_to_index")
        .doesNotContainValue("indexed");
    assertThat(byImage(again).get("team/app:v1").reason()).isEqualTo("already indexed: v1-soci exists");
    assertThat(byImage(again).get("team/app:v1-soci").reason()).contains("the builder's own output");
    assertThat(client.getManifest(host(), "team/app", "v1-soci", null).digest().toString()).isEqualTo(sociDigest);

    BackfillReport forced = run(indexOptions().withForce(true), backfillOptions(), "team/app");

    assertThat(outcomes(forced)).containsEntry("team/app:v1", "indexed").containsEntry("team/app:v1-soci", "skipped");
  }

  @Test
  void aDryRunListsWhatItWouldIndexAndPushesNothing() {
    BackfillReport report = run(indexOptions(), backfillOptions().withDryRun(true), null);

    assertThat(report.dryRun()).isTrue();
    assertThat(outcomes(report)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "team/app:dev-1", "excluded",
        "team/app:v1", "would_index",
        "team/app:v2", "would_index",
        "team/broken:v1", "would_index",
        "team/secret", "excluded",
        "tools/small:v1", "would_index"));
    assertThat(byImage(report).get("team/app:v1").reason()).isEqualTo("selected by filter *:*");
    assertThat(client.listTags(host(), "team/app", Listing.defaults())).containsExactlyInAnyOrder("v1", "v2", "dev-1");
  }

  @Test
  void oneRepositoryOnlyAndAnUnknownOneFails() {
    BackfillReport report = run(indexOptions(), backfillOptions(), "team/app");

    assertThat(report.repository()).isEqualTo("team/app");
    assertThat(outcomes(report)).containsOnlyKeys("team/app:v1", "team/app:v2", "team/app:dev-1");

    BackfillReport unknown = run(indexOptions(), backfillOptions(), "no/such");

    assertThat(unknown.images()).singleElement().satisfies(r -> {
      assertThat(r.status()).isEqualTo(Status.FAILED);
      assertThat(r.reason()).contains("HTTP 404 NAME_UNKNOWN");
    });
  }

  @Test
  void v1IndexesAreFoundByTheIndexerOnTheSecondRun() {
    IndexOptions v1 = indexOptions().withVersion(SociIndex.Version.V1);
    BackfillOptions onlyApp = backfillOptions().withFilters(FilterRules.parse("team/app:v?"));

    BackfillReport first = run(v1, onlyApp, null);
    BackfillReport second = run(v1, onlyApp, null);

    assertThat(outcomes(first)).containsEntry("team/app:v1", "indexed").containsEntry("team/app:v2", "indexed");
    // Distribution 2.8 has no referrers API: the v1 index is found through the sha256-<hex> referrers tag
    assertThat(outcomes(second)).containsEntry("team/app:v1", "already_indexed")
        .containsEntry("team/app:v2", "already_indexed")
        .doesNotContainValue("indexed");
    assertThat(second.images()).filteredOn(r -> r.tag() != null && r.tag().startsWith("sha256-"))
        .singleElement().satisfies(r -> assertThat(r.outcome()).isEqualTo("skipped"));
  }

  @Test
  void theListenerHearsOfEveryImage() {
    List<ImageResult> heard = new CopyOnWriteArrayList<>();
    List<String> queued = new CopyOnWriteArrayList<>();
    List<Integer> repositories = new CopyOnWriteArrayList<>();
    BackfillListener listener = new BackfillListener() {
      @Override
      public void repositoriesListed(int count) {
        repositories.add(count);
      }

      @Override
      public void queued(String repository, String tag) {
        queued.add(repository + ":" + tag);
      }

      @Override
      public void done(ImageResult result) {
        heard.add(result);
      }
    };

    BackfillReport report = new Backfill(client, indexOptions(), backfillOptions(), listener).run(host(), null);

    assertThat(repositories).containsExactly(4);
    assertThat(heard).containsExactlyInAnyOrderElementsOf(report.images());
    assertThat(queued).containsExactlyInAnyOrder("team/app:v1", "team/app:v2", "team/broken:v1", "tools/small:v1");
  }

  @Test
  void aRegistryWithoutACatalogForThisClientFailsTheRun() {
    try (RegistryServer token = RegistryServer.tokenAuth("u", "p-123456").start();
        RegistryClient anonymous = new RegistryClient(null, RetryPolicy.none(), true, Duration.ofSeconds(10))) {
      Backfill backfill = new Backfill(anonymous, indexOptions(), backfillOptions(), null);

      assertThatThrownBy(() -> backfill.run(token.hostPort(), null))
          .isInstanceOf(CatalogUnsupportedException.class)
          .hasMessageContaining("name one repository");
    }
  }

  @Test
  void theReportAsJsonHasEveryImageWithTheIndexersReport() {
    BackfillReport report = run(indexOptions(), backfillOptions(), "team/app");

    String json = report.toJson();

    assertThat(json).startsWith("{\"registry\":\"" + host() + "\",\"repository\":\"team/app\",\"filters\":\""
        + FILTERS + "\",\"dryRun\":false,\"images\":[{\"repository\":\"team/app\",\"tag\":\"dev-1\","
        + "\"outcome\":\"excluded\",\"reason\":\"excluded by filter !*:dev-*\",\"report\":null},"
        + "{\"repository\":\"team/app\",\"tag\":\"v1\",\"outcome\":\"indexed\"");
    assertThat(json).contains("\"report\":{\"image\":\"" + host() + "/team/app:v1\",\"outcome\":\"indexed\"")
        .contains("\"counts\":{\"excluded\":1,\"indexed\":2}");
  }

  @Test
  void credentialsFromTheClientAreUsedForTheCatalogAndTheImages() {
    try (RegistryServer basic = RegistryServer.basicAuth("bob", "b-secret-77").start();
        RegistryClient authed = new RegistryClient(CredentialsProvider.of(basic.hostPort(),
            new Credentials("bob", "b-secret-77")), RetryPolicy.none(), true, Duration.ofSeconds(10))) {
      Pushes.push(authed, basic.hostPort(), good, "private/app", "v1");

      BackfillReport report = new Backfill(authed, indexOptions(), BackfillOptions.defaults(), null)
          .run(basic.hostPort(), null);

      assertThat(outcomes(report)).containsExactly(Map.entry("private/app:v1", "indexed"));
    }
  }
}
