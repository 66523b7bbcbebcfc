package dev.socibuilder.indexer.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socibuilder.indexer.IndexReport;
import dev.socibuilder.oci.Platform;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IndexerResultTest {
  private static final String DIGEST = "sha256:" + "ab".repeat(32);
  private static final String SOCI = "sha256:" + "cd".repeat(32);

  @Test
  void aSupersededRunIsASuccessWithoutANewTagAndSaysWhy() {
    IndexerRequest request = new IndexerRequest("123456789012.dkr.ecr.us-west-2.amazonaws.com", "team/app", DIGEST,
        "v1", "application/vnd.oci.image.manifest.v1+json");
    IndexReport report = new IndexReport("team/app:v1@" + DIGEST, IndexReport.Outcome.SUPERSEDED,
        "superseded: tag v1 now points at sha256:ef..., so v1-soci was left as it was", "v2",
        List.of(new IndexReport.PlatformReport(Platform.of("linux", "amd64"), DIGEST, SOCI, List.of(), List.of())),
        null, null, Duration.ofSeconds(3));

    IndexerResult result = IndexerResult.of(request, report, null, Duration.ofSeconds(3));
    Map<String, Object> detail = result.toMap();

    assertThat(result.succeeded()).isTrue();
    assertThat(detail).containsEntry("outcome", "superseded").containsEntry("retrying", false)
        .containsEntry("newTag", null).containsEntry("sociImageIndexDigest", null)
        .containsEntry("sociIndexDigest", SOCI);
    assertThat((String) detail.get("message")).startsWith("superseded: tag v1 now points at");
  }
}
