package dev.socibuilder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.socibuilder.testing.registry.RegistryServer;
import dev.socibuilder.testing.registry.Skopeo;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code soci-builder inspect} on the sample image (an OCI layout) and in a real registry. */
class InspectCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  Path layout;

  @BeforeEach
  void writeSample() throws IOException {
    layout = tmp.resolve("image");
    SampleImage.write(layout);
  }

  @Test
  void anImageWithoutIndexIsNotLazyLoadable() {
    CliTestSupport.Run r = CliTestSupport.run("inspect", "oci:" + layout + ":latest");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("  lazy-loadable: no\n")
        .contains("    no SOCI index v2: there is no SOCI-enabled image index tagged latest-soci\n");
  }

  @Test
  void afterIndexingEachZtocAndEachSkippedLayerIsShown() throws IOException {
    CliTestSupport.Run indexed = CliTestSupport.run("index", "oci:" + layout + ":latest", "--json");
    JsonNode report = JSON.readTree(indexed.out());
    JsonNode ztoc = report.get("platforms").get(0).get("ztocs").get(0);

    CliTestSupport.Run r = CliTestSupport.run("inspect", "oci:" + layout + ":latest");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("  lazy-loadable: yes, every platform has a SOCI index v2\n")
        .contains("    SOCI index v2 " + report.get("platforms").get(0).get("sociIndexDigest").asText()
            + " (tag latest-soci, image index " + report.get("imageIndexDigest").asText())
        .contains("      zTOC " + ztoc.get("ztocDigest").asText() + " for layer " + ztoc.get("layerDigest").asText())
        .containsPattern("spans? of 4 MiB, \\d+ files, zTOC ")
        .containsPattern("      no zTOC for layer sha256:[0-9a-f]{64} \\(.*\\): size \\d+ is less than min-layer-size 10485760");

    CliTestSupport.Run json = CliTestSupport.run("inspect", "oci:" + layout + ":latest", "--json");
    JsonNode inspection = JSON.readTree(json.out());
    assertThat(inspection.get("lazyLoadable").asBoolean()).isTrue();
    JsonNode z = inspection.get("platforms").get(0).get("indexes").get(0).get("ztocs").get(0);
    assertThat(z.get("spans").asInt()).isEqualTo(ztoc.get("spans").asInt());
    assertThat(z.get("ztocSize").asLong()).isEqualTo(ztoc.get("ztocSize").asLong());
    assertThat(z.get("spanSize").asLong()).isEqualTo(4194304);
  }

  @Test
  void inspectsARegistryImageAndItsSociTag() throws IOException {
    try (RegistryServer registry = RegistryServer.anonymous().start()) {
      String image = registry.hostPort() + "/sample/app:1.0";
      Skopeo.copy("oci:" + layout + ":latest", "docker://" + image);
      assertThat(CliTestSupport.run("index", image, "--plain-http").exitCode()).isZero();

      CliTestSupport.Run r = CliTestSupport.run("inspect", image, "--plain-http", "--json");
      CliTestSupport.Run soci = CliTestSupport.run("inspect", image + "-soci", "--plain-http");

      assertThat(r.exitCode()).as(r.err()).isZero();
      JsonNode inspection = JSON.readTree(r.out());
      assertThat(inspection.get("lazyLoadable").asBoolean()).isTrue();
      assertThat(inspection.get("platforms").get(0).get("notes").get(0).asText())
          .startsWith("no SOCI index v1 (looked up through the referrers tag sha256-");
      assertThat(soci.out()).contains("  a SOCI-enabled image: point the runtime at this reference\n")
          .contains("(the image's own com.amazon.soci.index-digest");
    }
  }

  @Test
  void failuresAreOneLine() {
    CliTestSupport.Run missing = CliTestSupport.run("inspect", "oci:" + layout + ":nope");
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err().strip()).doesNotContain("\n").contains("not found");

    assertThat(CliTestSupport.run("inspect").exitCode()).isEqualTo(2);
    assertThat(CliTestSupport.run("inspect", "oci:" + layout, "--min-layer-size", "-1").exitCode()).isEqualTo(2);
  }
}
