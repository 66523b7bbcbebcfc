package dev.socibuilder.filter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void writesFieldsInOrderWithNullForAbsentValues() {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("b", "1");
    fields.put("a", null);

    assertThat(Json.object(fields)).isEqualTo("{\"b\":\"1\",\"a\":null}");
    assertThat(Json.object(Map.of())).isEqualTo("{}");
  }

  @Test
  void escapesWhatCouldBreakTheStringOrTheLine() throws IOException {
    String hostile = "q\"b\\n\nr\rt\tz\u0000e\u001b\u2028p\u2029 é✓";

    String json = Json.object(Map.of("k", hostile));

    assertThat(json).doesNotContain("\n", "\r", "\u0000", "\u2028", "\u2029")
        .contains("\\u0000", "\\u001b", "\\u2028", "\\u2029", "é✓");
    JsonNode parsed = new ObjectMapper().readTree(json);
    assertThat(parsed.get("k").asText()).isEqualTo(hostile);
  }
}
