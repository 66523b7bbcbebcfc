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
import dev.socibuilder.oci.MediaTypes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

  @Test
  void spanSizesBelowTheFloorAndBadLimitsAreUsageErrors() {
    CliTestSupport.Run tiny = CliTestSupport.run("index", "oci:" + layout + ":latest", "--span-size", "1");
    CliTestSupport.Run badLimits = CliTestSupport.run("index", "oci:" + layout + ":latest", "--limits", "ztoc-bytes=x");

    assertThat(tiny.exitCode()).isEqualTo(2);
    assertThat(tiny.err()).contains("span size 1 is below the minimum of 1024 bytes (limit min-span-size)");
    assertThat(badLimits.exitCode()).isEqualTo(2);
    assertThat(badLimits.err()).contains("invalid --limits: limit ztoc-bytes=x is not a number");
  }

  @Test
  void aLayerPastALimitFailsNamingTheLimitAndPublishesNothing() throws IOException {
    long blobs = countBlobs();

    CliTestSupport.Run r = CliTestSupport.run("index", "oci:" + layout + ":latest", "--limits", "toc-entries=10");

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("the layer has more than 10 tar entries").contains("(zTOC limit toc-entries=10)")
        .doesNotContain("\n\t");
    assertThat(countBlobs()).isEqualTo(blobs);
  }

  @Test
  void aDigestReferenceThatIsNotADigestIsAUsageError() {
    CliTestSupport.Run r = CliTestSupport.run("index", "oci:" + layout + "@sha256:not-hex");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("invalid sha256 digest: not-hex").doesNotContain("internal error");
  }

  @Test
  void anInvalidDigestInTheLayoutIsNamedNotAnInternalError() throws IOException {
    Path index = layout.resolve("index.json");
    String json = Files.readString(index);
    Files.writeString(index, json.replaceFirst("\"digest\":\"sha256:[0-9a-f]{64}\"", "\"digest\":\"sha256:zz\""));

    CliTestSupport.Run r = CliTestSupport.run("index", "oci:" + layout + ":latest");

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("soci-builder: oci:" + layout
        + ": index.json entry tagged latest has an invalid digest 'sha256:zz'" + System.lineSeparator());
  }

  @Test
  void aManifestWithoutConfigWithABadLayerDigestOrAHugeConfigIsNamedNotAnInternalError() {
    OciLayout oci = OciLayout.open(layout);
    Descriptor noConfig = oci.writeBlob(MediaTypes.OCI_MANIFEST, ("{\"schemaVersion\":2,\"mediaType\":\""
        + MediaTypes.OCI_MANIFEST + "\",\"layers\":[]}").getBytes(StandardCharsets.UTF_8));
    oci.tag("noconfig", noConfig);
    Descriptor config = oci.writeBlob(MediaTypes.OCI_CONFIG,
        "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8));
    Descriptor badLayer = oci.writeBlob(MediaTypes.OCI_MANIFEST, ("{\"schemaVersion\":2,\"mediaType\":\""
        + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\""
        + config.digest() + "\",\"size\":" + config.size() + "},\"layers\":[{\"mediaType\":\""
        + MediaTypes.OCI_LAYER_GZIP + "\",\"digest\":\"sha256:\",\"size\":20000000}]}")
        .getBytes(StandardCharsets.UTF_8));
    oci.tag("badlayer", badLayer);

    Descriptor hugeConfig = oci.writeBlob(MediaTypes.OCI_MANIFEST, ("{\"schemaVersion\":2,\"mediaType\":\""
        + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\""
        + config.digest() + "\",\"size\":10000000000},\"layers\":[]}").getBytes(StandardCharsets.UTF_8));
    oci.tag("hugeconfig", hugeConfig);

    CliTestSupport.Run r1 = CliTestSupport.run("index", "oci:" + layout + ":noconfig");
    CliTestSupport.Run r2 = CliTestSupport.run("index", "oci:" + layout + ":badlayer");
    CliTestSupport.Run r3 = CliTestSupport.run("index", "oci:" + layout + ":hugeconfig");

    assertThat(r1.exitCode()).isEqualTo(1);
    assertThat(r1.err().strip()).isEqualTo("soci-builder: image oci:" + layout + ":noconfig: manifest "
        + noConfig.digest() + " has no config");
    assertThat(r2.exitCode()).isEqualTo(1);
    assertThat(r2.err().strip()).isEqualTo("soci-builder: image oci:" + layout + ":badlayer: manifest "
        + badLayer.digest() + ": layer descriptor has an invalid digest 'sha256:'");
    assertThat(r3.exitCode()).isEqualTo(1);
    assertThat(r3.err().strip()).isEqualTo("soci-builder: image oci:" + layout + ":hugeconfig: manifest "
        + hugeConfig.digest() + ": config is 10000000000 bytes, more than the 33554432 read whole");
  }

  @Test
  void aMalformedDockerConfigIsNamedNotAnInternalError() throws Exception {
    Path dockerConfig = tmp.resolve("docker");
    Files.createDirectories(dockerConfig);
    Files.writeString(dockerConfig.resolve("config.json"), "{\"auths\": {\"secret-host\": {\"auth\": \"c2VjcmV0\"");
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "index", "127.0.0.1:1/app:v1",
        "--plain-http").redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("DOCKER_CONFIG", dockerConfig.toString());
    Process p = pb.start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(p.waitFor()).isEqualTo(1);
    assertThat(err).isEqualTo("soci-builder: malformed docker config " + dockerConfig.resolve("config.json")
        + ": malformed JSON at byte offset 45" + System.lineSeparator());
  }

  private long countBlobs() throws IOException {
    try (var s = Files.list(layout.resolve("blobs/sha256"))) {
      return s.count();
    }
  }
}
