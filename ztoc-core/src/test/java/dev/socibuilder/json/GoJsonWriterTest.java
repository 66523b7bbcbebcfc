package dev.socibuilder.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GoJsonWriterTest {

  private static String quoted(String s) {
    return new String(GoJsonWriter.quote(s), StandardCharsets.UTF_8);
  }

  @Test
  void escapesHtmlCharactersAsGoDoes() {
    assertThat(quoted("<a href=\"x\">&</a>")).isEqualTo("\"\\u003ca href=\\\"x\\\"\\u003e\\u0026\\u003c/a\\u003e\"");
  }

  @Test
  void doesNotEscapeSlashOrDelOrNonAscii() {
    assertThat(quoted("a/b\u007fé€😀")).isEqualTo("\"a/b\u007fé€😀\"");
  }

  @Test
  void escapesControlCharactersWithShortFormsWhereGoHasThem() {
    // Go 1.22+: backslash-b and backslash-f have short forms; other control characters use lowercase hex.
    assertThat(quoted("\b\f\n\r\t\u0000\u0001\u001f\u000b"))
        .isEqualTo("\"\\b\\f\\n\\r\\t\\u0000\\u0001\\u001f\\u000b\"");
  }

  @Test
  void escapesLineAndParagraphSeparators() {
    assertThat(quoted("a\u2028b\u2029c")).isEqualTo("\"a\\u2028b\\u2029c\"");
  }

  @Test
  void escapesQuoteAndBackslash() {
    assertThat(quoted("\"\\")).isEqualTo("\"\\\"\\\\\"");
  }

  @Test
  void writesLoneSurrogateAsEscapedReplacementCharacter() {
    assertThat(quoted("a\uD800b\uDC00")).isEqualTo("\"a\\ufffdb\\ufffd\"");
  }

  @Test
  void writesRealReplacementCharacterRaw() {
    assertThat(GoJsonWriter.quote("\uFFFD")).containsExactly('"', 0xef - 256, 0xbf - 256, 0xbd - 256, '"');
  }

  @Test
  void sortsMapKeysBytewiseNotByUtf16() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("\uD83D\uDE00", "emoji"); // U+1F600: UTF-8 F0 9F 98 80
    m.put("\uFF01", "fullwidth"); // U+FF01: UTF-8 EF BC 81, sorts first in Go
    m.put("b", "2");
    m.put("B", "1");
    m.put("a.b", "3");
    m.put("a", "4");
    byte[] out = new GoJsonWriter().stringMap(m).toByteArray();
    assertThat(new String(out, StandardCharsets.UTF_8))
        .isEqualTo("{\"B\":\"1\",\"a\":\"4\",\"a.b\":\"3\",\"b\":\"2\",\"\uFF01\":\"fullwidth\",\"\uD83D\uDE00\":\"emoji\"}");
    List<String> keys = new ArrayList<>(m.keySet());
    keys.sort(GoJsonWriter.KEY_ORDER);
    assertThat(keys).containsExactly("B", "a", "a.b", "b", "\uFF01", "\uD83D\uDE00");
  }

  @Test
  void writesCompactNestedStructures() {
    GoJsonWriter w = new GoJsonWriter();
    w.beginObject()
        .name("n").value(-12)
        .name("t").value(true)
        .name("z").nullValue()
        .name("a").beginArray().value("x").beginObject().endObject().beginArray().endArray().endArray()
        .name("d").base64(new byte[] {0, 1, 2, (byte) 0xff})
        .endObject();
    assertThat(new String(w.toByteArray(), StandardCharsets.UTF_8))
        .isEqualTo("{\"n\":-12,\"t\":true,\"z\":null,\"a\":[\"x\",{},[]],\"d\":\"AAEC/w==\"}");
  }

  @Test
  void writesParsedTreeWithOriginalMemberOrderAndNumberText() {
    byte[] in = " { \"b\" : [ 1.50 , -0 ] , \"a\" : { } , \"s\" : \"<\\u00e9>\" } ".getBytes(StandardCharsets.UTF_8);
    byte[] out = new GoJsonWriter().value(JsonParser.parse(in)).toByteArray();
    assertThat(new String(out, StandardCharsets.UTF_8)).isEqualTo("{\"b\":[1.50,-0],\"a\":{},\"s\":\"\\u003cé\\u003e\"}");
  }

  @Test
  void refusesUnbalancedOrMisplacedCalls() {
    assertThatThrownBy(() -> new GoJsonWriter().beginObject().toByteArray()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new GoJsonWriter().name("x")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new GoJsonWriter().value(1).value(2)).isInstanceOf(IllegalStateException.class);
  }
}
