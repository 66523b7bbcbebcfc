package dev.socibuilder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.socibuilder.digest.Digest;
import dev.socibuilder.oci.MediaTypes;
import dev.socibuilder.registry.Listing;
import dev.socibuilder.registry.RegistryClient;
import dev.socibuilder.registry.RetryPolicy;
import dev.socibuilder.testing.registry.FaultProxy;
import dev.socibuilder.testing.registry.RegistryServer;
import dev.socibuilder.testing.registry.Skopeo;
import dev.socibuilder.testing.registry.TestImages;
import dev.socibuilder.testing.registry.TestImages.LayerSpec;
import dev.socibuilder.testing.registry.TestImages.TestImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code soci-builder backfill} against a real registry with several repositories and tags, listed in pages
 * of two ({@code --page-size 2}; Distribution 2.8 paginates its catalog but not tag lists, whose pagination
 * the registry client's own tests cover): filters with exclusions, a dry run, an idempotent second run, and
 * an image whose layer is not a tar archive among good ones.
 */
class BackfillCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String FILTERS = "*:*,!team/secret:*,!*:dev-*";

  @TempDir
  static Path tmp;

  static TestImage good;

  RegistryServer registry;
  RegistryClient client;

  @BeforeAll
  static void writeImage() {
    good = TestImages.singlePlatform(tmp.resolve("good"), "v1", LayerSpec.incompressible(256 << 10, 1),
        LayerSpec.compressible(1024, 2));
  }

  @BeforeEach
  void startRegistry() throws IOException {
    registry = RegistryServer.anonymous().start();
    client = new RegistryClient(null, RetryPolicy.none(), true, Duration.ofSeconds(10));
    String r = "docker://" + registry.hostPort() + "/";
    Skopeo.copy(good.ociReference(), r + "team/app:v1");
    Skopeo.copy(good.ociReference(), r + "team/app:v2");
    Skopeo.copy(good.ociReference(), r + "team/app:dev-1");
    Skopeo.copy(good.ociReference(), r + "team/secret:v1");
    Skopeo.copy(good.ociReference(), r + "tools/base:1.0");
    pushLayerThatIsNotATar("team/broken", "v1");
  }

  @AfterEach
  void stopRegistry() {
    client.close();
    registry.close();
  }

  /** An image whose only layer is valid gzip of random bytes: indexing it fails on that layer. */
  private void pushLayerThatIsNotATar(String repository, String tag) throws IOException {
    byte[] noise = new byte[200 << 10];
    new Random(3).nextBytes(noise);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(noise);
    }
    byte[] layer = gz.toByteArray();
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
        + Digest.sha256Of(noise) + "\"]}}").getBytes(StandardCharsets.UTF_8);
    client.pushBlob(registry.hostPort(), repository, Digest.sha256Of(layer), layer);
    client.pushBlob(registry.hostPort(), repository, Digest.sha256Of(config), config);
    String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
        + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256Of(config) + "\",\"size\":" + config.length
        + "},\"layers\":[{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP + "\",\"digest\":\"" + Digest.sha256Of(layer)
        + "\",\"size\":" + layer.length + "}]}";
    client.putManifest(registry.hostPort(), repository, tag, manifest.getBytes(StandardCharsets.UTF_8),
        MediaTypes.OCI_MANIFEST);
  }

  private CliTestSupport.Run backfill(String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of("backfill", registry.hostPort(), "--plain-http",
        "--filters", FILTERS, "--min-layer-size", "65536", "--span-size", "65536", "--page-size", "2",
        "--concurrency", "2"));
    args.addAll(List.of(extra));
    return CliTestSupport.run(args.toArray(String[]::new));
  }

  private static Map<String, String> outcomes(String json) throws IOException {
    Map<String, String> out = new HashMap<>();
    for (JsonNode image : JSON.readTree(json).get("images")) {
      String name = image.get("repository").asText() + (image.get("tag").isNull() ? "" : ":" + image.get("tag").asText());
      out.put(name, image.get("outcome").asText());
    }
    return out;
  }

  @Test
  void indexesTheSelectedImagesAndExitsOneBecauseOneFailed() throws IOException {
    CliTestSupport.Run r = backfill("--json");

    assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
    assertThat(outcomes(r.out())).containsExactlyInAnyOrderEntriesOf(Map.of(
        "team/app:dev-1", "excluded",
        "team/app:v1", "indexed",
        "team/app:v2", "indexed",
        "team/broken:v1", "failed",
        "team/secret", "excluded",
        "tools/base:1.0", "indexed"));
    JsonNode broken = findImage(r.out(), "team/broken", "v1");
    assertThat(broken.get("reason").asText()).contains("team/broken:v1").contains("layer");
    JsonNode v1 = findImage(r.out(), "team/app", "v1");
    assertThat(v1.get("report").get("tag").asText()).isEqualTo("v1-soci");
    assertThat(client.listTags(registry.hostPort(), "tools/base", Listing.defaults()))
        .containsExactlyInAnyOrder("1.0", "1.0-soci");
    assertThat(client.listTags(registry.hostPort(), "team/secret", Listing.defaults())).containsExactly("v1");
  }

  @Test
  void aSecondRunIndexesNothing() throws IOException {
    backfill();

    CliTestSupport.Run again = backfill("--json");

    Map<String, String> outcomes = outcomes(again.out());
    assertThat(outcomes).containsEntry("team/app:v1", "already_indexed")
        .containsEntry("team/app:v1-soci", "skipped")
        .containsEntry("tools/base:1.0", "already_indexed")
        .containsEntry("team/broken:v1", "failed")
        .doesNotContainValue("indexed");
    assertThat(JSON.readTree(again.out()).get("counts").get("already_indexed").asInt()).isEqualTo(3);
  }

  @Test
  void textOutputListsIndexedAndFailedImagesAndSumsUp() {
    CliTestSupport.Run r = backfill();

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).containsPattern("(?m)^indexed +team/app:v1 +v1-soci sha256:[0-9a-f]{64} \\(1 zTOC\\)$")
        .containsPattern("(?m)^failed +team/broken:v1 +.*team/broken:v1")
        .doesNotContain("team/app:dev-1")
        .containsPattern("(?m)^Backfilled " + registry.hostPort().replace(".", "\\.")
            + " in \\d+\\.\\d s: 2 excluded, 1 failed, 3 indexed$");
  }

  @Test
  void aDryRunListsWhatItWouldIndexAndPushesNothing() throws IOException {
    CliTestSupport.Run r = backfill("--dry-run");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).containsPattern("(?m)^would_index +team/app:v1 +selected by filter \\*:\\*$")
        .containsPattern("(?m)^would_index +team/broken:v1 ")
        .containsPattern("(?m)^Dry run of the backfill of " + registry.hostPort().replace(".", "\\.")
            + " in \\d+\\.\\d s: 2 excluded, 4 would_index; nothing was pushed$");
    assertThat(client.listTags(registry.hostPort(), "team/app", Listing.defaults()))
        .containsExactlyInAnyOrder("v1", "v2", "dev-1");
  }

  @Test
  void oneRepositoryWithoutFailuresExitsZero() throws IOException {
    CliTestSupport.Run r = CliTestSupport.run("backfill", registry.hostPort() + "/team/app", "--plain-http",
        "--min-layer-size", "65536", "--json");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(outcomes(r.out())).containsExactlyInAnyOrderEntriesOf(Map.of(
        "team/app:dev-1", "indexed", "team/app:v1", "indexed", "team/app:v2", "indexed"));
    assertThat(JSON.readTree(r.out()).get("repository").asText()).isEqualTo("team/app");
  }

  @Test
  void theZtocCacheOptionFillsTheCacheThatASecondForcedRunReuses(@TempDir Path cache) throws IOException {
    CliTestSupport.Run first = CliTestSupport.run("backfill", registry.hostPort() + "/team/app", "--plain-http",
        "--min-layer-size", "65536", "--json", "--ztoc-cache", cache.toString());
    assertThat(first.exitCode()).as(first.err()).isZero();
    long entries;
    try (java.util.stream.Stream<Path> files = Files.walk(cache)) {
      entries = files.filter(f -> f.getFileName().toString().endsWith(".entry")).count();
    }
    assertThat(entries).as("cache entries").isPositive();

    CliTestSupport.Run second = CliTestSupport.run("backfill", registry.hostPort() + "/team/app", "--plain-http",
        "--min-layer-size", "65536", "--json", "--force", "--ztoc-cache", cache.toString());
    assertThat(second.exitCode()).as(second.err()).isZero();
    assertThat(second.out()).contains("\"source\":\"cached\"").doesNotContain("\"source\":\"built\"");
  }

  @Test
  void aRegistryWithoutACatalogAsksForARepository() {
    try (RegistryServer token = RegistryServer.tokenAuth("u", "pw-12345").start()) {
      CliTestSupport.Run r = CliTestSupport.run("backfill", token.hostPort(), "--plain-http");

      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.err().strip()).doesNotContain("\n")
          .contains("name one repository, as " + token.hostPort() + "/REPOSITORY");
    }
  }

  @Test
  void aRegistryThatFailsMidListingFailsThatRepositoryOnly() throws IOException {
    try (FaultProxy proxy = FaultProxy.start(registry.hostPort())) {
      proxy.respond("GET", "/v2/team/app/tags/list", 404, 1).withErrorCode("NAME_UNKNOWN");

      CliTestSupport.Run r = CliTestSupport.run("backfill", proxy.hostPort(), "--plain-http", "--filters", "team/*:*",
          "--min-layer-size", "65536", "--json");

      assertThat(r.exitCode()).isEqualTo(1);
      Map<String, String> outcomes = outcomes(r.out());
      assertThat(outcomes).containsEntry("team/app", "failed").containsEntry("team/secret:v1", "indexed")
          .containsEntry("tools/base", "excluded");
    }
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(CliTestSupport.run("backfill").exitCode()).isEqualTo(2);
    assertThat(CliTestSupport.run("backfill", "127.0.0.1:1/app:v1").exitCode()).isEqualTo(2);
    assertThat(CliTestSupport.run("backfill", "oci:/tmp/x").exitCode()).isEqualTo(2);
    assertThat(CliTestSupport.run("backfill", "127.0.0.1:1", "--filters", "Team/*:*").exitCode()).isEqualTo(2);
    assertThat(CliTestSupport.run("backfill", "127.0.0.1:1", "--concurrency", "0").exitCode()).isEqualTo(2);
    assertThat(CliTestSupport.run("backfill", "127.0.0.1:1", "--page-size", "0").exitCode()).isEqualTo(2);
  }

  private static JsonNode findImage(String json, String repository, String tag) throws IOException {
    for (JsonNode image : JSON.readTree(json).get("images")) {
      if (image.get("repository").asText().equals(repository) && tag.equals(image.get("tag").asText(null))) {
        return image;
      }
    }
    throw new AssertionError(repository + ":" + tag + " not in " + json);
  }
}
