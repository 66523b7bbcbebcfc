package dev.socibuilder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.socibuilder.digest.Digest;
import dev.socibuilder.indexer.store.OciLayout;
import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.oci.ImageIndex;
import dev.socibuilder.oci.ImageManifest;
import dev.socibuilder.testing.registry.HostileRegistry;
import dev.socibuilder.ztoc.Ztoc;
import dev.socibuilder.ztoc.ZtocCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code soci-builder index} on an OCI image layout (the registry paths are covered by the service tests). */
class IndexCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  Path layout;

  @BeforeEach
  void writeSample() throws IOException {
    layout = tmp.resolve("image");
    SampleImage.write(layout);
  }

  @Test
  void indexesTheSampleImageIntoItsLayoutAndReportsJson() throws IOException {
    CliTestSupport.Run r = CliTestSupport.run("index", "oci:" + layout + ":latest", "--json");

    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode report = JSON.readTree(r.out());
    assertThat(report.get("outcome").asText()).isEqualTo("indexed");
    assertThat(report.get("indexVersion").asText()).isEqualTo("v2");
    assertThat(report.get("tag").asText()).isEqualTo("latest-soci");
    JsonNode platform = report.get("platforms").get(0);
    assertThat(platform.get("platform").asText()).isEqualTo("linux/amd64");
    assertThat(platform.get("ztocs")).hasSize(1);
    assertThat(platform.get("skippedLayers")).hasSize(1);
    assertThat(platform.get("skippedLayers").get(0).get("reason").asText()).contains("less than min-layer-size");

    // The layout now has the SOCI-enabled index under latest-soci, referring to real blobs.
    OciLayout oci = OciLayout.open(layout);
    Descriptor sociEntry = oci.resolve("latest-soci");
    assertThat(sociEntry.digest()).isEqualTo(report.get("imageIndexDigest").asText());
    ImageIndex index = ImageIndex.parse(oci.readBlob(sociEntry.parsedDigest()));
    Descriptor sociIndexDesc = index.manifestList().stream()
        .filter(d -> "application/vnd.amazon.soci.index.v2+json".equals(d.artifactType())).findFirst().orElseThrow();
    ImageManifest sociIndex = ImageManifest.parse(oci.readBlob(sociIndexDesc.parsedDigest()));
    Descriptor ztocDesc = sociIndex.layers().get(0);
    assertThat(ztocDesc.digest()).isEqualTo(platform.get("ztocs").get(0).get("ztocDigest").asText());
    Ztoc ztoc = ZtocCodec.decode(oci.readBlob(ztocDesc.parsedDigest()));
    assertThat(ztoc.toc()).extracting(m -> m.nameString()).contains("opt/app/model.bin");
    assertThat(oci.resolve("latest").digest()).as("the original tag is untouched")
        .isEqualTo(platform.get("manifestDigest").asText());
  }

  @Test
  void aSecondRunFindsTheIndexAndPushesNothing() throws IOException {
    assertThat(CliTestSupport.run("index", "oci:" + layout + ":latest").exitCode()).isZero();
    long blobs = countBlobs();

    CliTestSupport.Run again = CliTestSupport.run("index", "oci:" + layout + ":latest", "--json");

    assertThat(again.exitCode()).isZero();
    assertThat(JSON.readTree(again.out()).get("outcome").asText()).isEqualTo("already_indexed");
    assertThat(countBlobs()).isEqualTo(blobs);

    CliTestSupport.Run forced = CliTestSupport.run("index", "oci:" + layout + ":latest", "--json", "--force");
    assertThat(JSON.readTree(forced.out()).get("outcome").asText()).isEqualTo("indexed");
  }

  @Test
  void anIndexBuiltWithAnotherSpanSizeIsRebuilt() throws IOException {
    assertThat(CliTestSupport.run("index", "oci:" + layout + ":latest").exitCode()).isZero();

    CliTestSupport.Run r = CliTestSupport.run("index", "oci:" + layout + ":latest", "--json", "--span-size", "1048576");

    JsonNode report = JSON.readTree(r.out());
    assertThat(report.get("outcome").asText()).isEqualTo("indexed");
    assertThat(report.get("platforms").get(0).get("ztocs").get(0).get("spans").asInt()).isGreaterThan(10);
  }

  @Test
  void theBuildersOwnOutputIsLeftAlone() throws IOException {
    assertThat(CliTestSupport.run("index", "oci:" + layout + ":latest").exitCode()).isZero();

    CliTestSupport.Run r = CliTestSupport.run("index", "oci:" + layout + ":latest-soci", "--json");

    assertThat(r.exitCode()).isZero();
    assertThat(JSON.readTree(r.out()).get("outcome").asText()).isEqualTo("soci_enabled_image");
  }

  @Test
  void nothingToIndexIsASuccessThatSaysSo() throws IOException {
    CliTestSupport.Run r = CliTestSupport.run("index", "oci:" + layout + ":latest", "--json",
        "--min-layer-size", "1000000000");

    assertThat(r.exitCode()).isZero();
    JsonNode report = JSON.readTree(r.out());
    assertThat(report.get("outcome").asText()).isEqualTo("nothing_to_index");
    assertThat(OciLayout.open(layout).tags()).containsExactly("latest");
  }

  @Test
  void v1WritesAReferrerIntoTheLayout() throws IOException {
    CliTestSupport.Run r = CliTestSupport.run("index", "oci:" + layout, "--index-version", "v1", "--json");

    assertThat(r.exitCode()).as(r.err()).isZero();
    String manifestDigest = JSON.readTree(r.out()).get("platforms").get(0).get("manifestDigest").asText();
    OciLayout oci = OciLayout.open(layout);
    Descriptor referrer = oci.index().manifestList().stream()
        .filter(d -> "application/vnd.amazon.soci.index.v1+json".equals(d.artifactType())).findFirst().orElseThrow();
    ImageManifest sociIndex = ImageManifest.parse(oci.readBlob(Digest.parse(referrer.digest())));
    assertThat(sociIndex.subject().digest()).isEqualTo(manifestDigest);

    CliTestSupport.Run again = CliTestSupport.run("index", "oci:" + layout, "--index-version", "v1", "--json");
    assertThat(JSON.readTree(again.out()).get("outcome").asText()).isEqualTo("already_indexed");
  }

  @Test
  void zTocCacheFolderIsFilledByOneImageAndReusedForAnother() throws IOException {
    Path cache = tmp.resolve("ztoc-cache");
    Path other = tmp.resolve("other");
    SampleImage.write(other);

    CliTestSupport.Run first = CliTestSupport.run("index", "oci:" + layout + ":latest", "--json", "--ztoc-cache",
        cache.toString());
    CliTestSupport.Run second = CliTestSupport.run("index", "oci:" + other + ":latest", "--ztoc-cache",
        cache.toString());

    assertThat(first.exitCode()).as(first.err()).isZero();
    JsonNode built = JSON.readTree(first.out()).get("platforms").get(0).get("ztocs").get(0);
    assertThat(built.get("source").asText()).isEqualTo("built");
    assertThat(built.get("blob").asText()).isEqualTo("uploaded");
    assertThat(built.get("cacheProblem").isNull()).isTrue();
    try (var entries = Files.walk(cache)) {
      assertThat(entries.filter(p -> p.toString().endsWith(".entry"))).hasSize(1);
    }
    assertThat(second.exitCode()).as(second.err()).isZero();
    assertThat(second.out()).contains("zTOC " + built.get("ztocDigest").asText())
        .contains("reused from the zTOC cache");
    assertThat(other.resolve("blobs/sha256").resolve(built.get("ztocDigest").asText().substring(7))).exists();
  }

  @Test
  void zTocCacheThatCannotBeUsedIsReportedAndIndexingSucceeds() throws IOException {
    Path notAFolder = Files.writeString(tmp.resolve("file"), "x");

    CliTestSupport.Run r = CliTestSupport.run("index", "oci:" + layout + ":latest", "--ztoc-cache",
        notAFolder.toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("Indexed ").contains("      zTOC cache: zTOC cache " + notAFolder + " unavailable");
  }

  @Test
  void failuresAreOneLineWithExitOne() {
    CliTestSupport.Run missing = CliTestSupport.run("index", "oci:" + tmp.resolve("nowhere") + ":latest");
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err().strip()).doesNotContain("\n").contains("no OCI image layout");

    CliTestSupport.Run noTag = CliTestSupport.run("index", "oci:" + layout + ":nope");
    assertThat(noTag.exitCode()).isEqualTo(1);
    assertThat(noTag.err()).contains("not found");

    CliTestSupport.Run registryDown = CliTestSupport.run("index", "127.0.0.1:1/app:latest", "--plain-http");
    assertThat(registryDown.exitCode()).isEqualTo(1);
    assertThat(registryDown.err()).contains("127.0.0.1:1").contains("cannot connect (").doesNotContain("(null)");
  }

  @Test
  void aRunThatPassesItsTimeoutFailsWithOneLineNamingTheDeadline() {
    try (HostileRegistry registry = HostileRegistry.start()) {
      registry.stallAfterHeaders("GET", "/manifests/", HostileRegistry.ALWAYS, 200, new byte[0], 1000,
          "Content-Type", "application/vnd.oci.image.manifest.v1+json");

      CliTestSupport.Run r = CliTestSupport.run("index", registry.hostPort() + "/app:v1", "--plain-http",
          "--timeout", "2s");

      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.err().strip()).doesNotContain("\n").startsWith("soci-builder: ")
          .contains(registry.hostPort() + "/app:v1").endsWith(": stopped, the deadline (2s) passed");
      assertThat(registry.requests("PUT", "")).isEmpty();
    }
  }

  @Test
  void timeoutMustBeADuration() {
    CliTestSupport.Run r = CliTestSupport.run("index", "oci:" + layout, "--timeout", "15x");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--timeout").contains("'15x' is not a duration");
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(CliTestSupport.run("index").exitCode()).isEqualTo(2);
    assertThat(CliTestSupport.run("index", "oci:" + layout, "--index-version", "v3").exitCode()).isEqualTo(2);
    assertThat(CliTestSupport.run("index", "oci:" + layout, "--platform", "linux/amd64", "--all-platforms").exitCode())
        .isEqualTo(2);
    assertThat(CliTestSupport.run("index", "oci:" + layout, "--tag-suffix", "bad suffix").exitCode()).isEqualTo(2);
  }

  private long countBlobs() throws IOException {
    try (var s = Files.list(layout.resolve("blobs/sha256"))) {
      return s.count();
    }
  }
}
