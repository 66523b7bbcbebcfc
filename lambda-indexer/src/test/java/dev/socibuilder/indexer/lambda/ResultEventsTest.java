package dev.socibuilder.indexer.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultEventsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Map<String, Object> detail(int platforms) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("outcome", "indexed");
    d.put("retrying", false);
    d.put("message", "built");
    d.put("repository", "team/app");
    List<String> digests = new ArrayList<>();
    for (int i = 0; i < platforms; i++) {
      digests.add("sha256:" + String.format("%064x", i));
    }
    d.put("sociIndexDigests", digests);
    d.put("ztocs", (long) platforms);
    return d;
  }

  @Test
  void aDetailOfNormalSizeIsSentWhole() throws Exception {
    JsonNode sent = JSON.readTree(ResultEvents.boundedDetail(detail(3)));

    assertThat(sent.get("sociIndexDigests")).hasSize(3);
    assertThat(sent.has("truncated")).isFalse();
  }

  @Test
  void aDetailPastEventBridgesLimitKeepsItsEssentialFieldsAndSaysItWasTruncated() throws Exception {
    // 10,000 platforms: 750 kB of digests, where EventBridge takes 256 KB per entry.
    String json = ResultEvents.boundedDetail(detail(10_000));
    JsonNode sent = JSON.readTree(json);

    assertThat(json.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(ResultEvents.MAX_DETAIL_BYTES);
    assertThat(sent.get("truncated").asBoolean()).isTrue();
    assertThat(sent.get("outcome").asText()).isEqualTo("indexed");
    assertThat(sent.get("repository").asText()).isEqualTo("team/app");
    assertThat(sent.get("ztocs").asLong()).isEqualTo(10_000);
    assertThat(sent.has("sociIndexDigests")).isFalse();
  }

  @Test
  void longStringsAreCutSayingHowMuchWasLeftOut() throws Exception {
    Map<String, Object> d = detail(1);
    d.put("repository", "r".repeat(5_000_000));

    JsonNode sent = JSON.readTree(ResultEvents.boundedDetail(d));

    assertThat(sent.get("repository").asText())
        .isEqualTo("r".repeat(Json.MAX_STRING_CHARS) + "... (" + (5_000_000 - Json.MAX_STRING_CHARS) + " more characters)");
  }
}
