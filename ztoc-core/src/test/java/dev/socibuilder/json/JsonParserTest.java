package dev.socibuilder.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.json.JsonValue.JsonArray;
import dev.socibuilder.json.JsonValue.JsonNumber;
import dev.socibuilder.json.JsonValue.JsonObject;
import dev.socibuilder.json.JsonValue.JsonString;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonParserTest {

  private static JsonValue parse(String s) {
    return JsonParser.parse(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void objectKeepsMemberOrderAndDuplicates() {
    JsonObject o = (JsonObject) parse(" {\"b\":1,\"a\":2,\"b\":3} ");
    assertThat(o.names()).containsExactly("b", "a", "b");
    assertThat(o.get("b")).isEqualTo(new JsonNumber("3"));
  }

  @Test
  void numbersKeepTheirSourceText() {
    JsonArray a = (JsonArray) parse("[0,-0,1.50,2e10,-3E-2,12345678901234567890]");
    assertThat(a.elements())
        .extracting(v -> ((JsonNumber) v).text())
        .containsExactly("0", "-0", "1.50", "2e10", "-3E-2", "12345678901234567890");
    assertThat(((JsonNumber) a.elements().get(1)).isIntegerLiteral()).isTrue();
    assertThat(((JsonNumber) a.elements().get(2)).isIntegerLiteral()).isFalse();
  }

  @Test
  void escapesDecodeIncludingSurrogatePairs() {
    JsonString s = (JsonString) parse("\"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"");
    assertThat(s.value()).isEqualTo("a\"\\/\b\f\n\r\té\uD83D\uDE00");
  }

  @Test
  void loneSurrogateEscapesBecomeReplacementCharacterLikeGo() {
    assertThat(((JsonString) parse("\"\\ud800x\"")).value()).isEqualTo("\uFFFDx");
    assertThat(((JsonString) parse("\"\\udc00\"")).value()).isEqualTo("\uFFFD");
    // A high surrogate followed by a non-low escape: U+FFFD, then the second escape on its own.
    assertThat(((JsonString) parse("\"\\ud800\\u0041\"")).value()).isEqualTo("\uFFFDA");
  }

  @Test
  void invalidUtf8BytesBecomeOneReplacementCharacterEach() {
    byte[] in = {'"', 'a', (byte) 0xff, (byte) 0xc3, 'b', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"'};
    // 0xff: invalid; 0xc3 followed by 'b': truncated; ED A0 80 is an encoded surrogate: 3 x U+FFFD.
    assertThat(((JsonString) JsonParser.parse(in)).value()).isEqualTo("a\uFFFD\uFFFDb\uFFFD\uFFFD\uFFFD");
  }

  @Test
  void validMultibyteUtf8Decodes() {
    assertThat(((JsonString) parse("\"é€😀\"")).value()).isEqualTo("é€😀");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"a\":1,}|7",
        "[1,]|3",
        "01|1",
        "1.|2",
        "1e|2",
        "-|1",
        "tru|3",
        "{\"a\" 1}|5",
        "\"a\tb\"|2",
        "[1] [2]|4",
        "{'a':1}|1",
        "\"\\x\"|2",
        "\"\\u12g4\"|5",
        "|0",
        "nul|3",
        "[1 2]|3",
      })
  void rejectsInvalidJsonWithOffset(String input, long offset) {
    String text = input == null ? "" : input;
    assertThatThrownBy(() -> parse(text))
        .isInstanceOf(JsonException.class)
        .satisfies(e -> assertThat(((JsonException) e).offset()).isEqualTo(offset));
  }

  @Test
  void rejectsByteOrderMark() {
    byte[] in = {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, '{', '}'};
    assertThatThrownBy(() -> JsonParser.parse(in)).isInstanceOf(JsonException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"// c\n{}", "{} /* c */", "NaN", "+1", "[01]", "\"\u0001\"", "{\"a\":1 \"b\":2}"})
  void rejectsNonStandardSyntax(String input) {
    assertThatThrownBy(() -> parse(input)).isInstanceOf(JsonException.class);
  }

  @Test
  void rejectsExcessiveNesting() {
    String deep = "[".repeat(10001) + "]".repeat(10001);
    assertThatThrownBy(() -> parse(deep)).isInstanceOf(JsonException.class).hasMessageContaining("depth");
    String ok = "[".repeat(10000) + "]".repeat(10000);
    assertThat(parse(ok)).isInstanceOf(JsonArray.class);
  }

  @Test
  void errorMessageNamesTheCharacterAndOffset() {
    assertThatThrownBy(() -> parse("{\"a\":x}"))
        .hasMessageContaining("invalid character 'x'")
        .hasMessageContaining("offset 5");
  }
}
