package dev.socibuilder.ztoc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socibuilder.testing.conformance.ConformanceCorpus;
import dev.socibuilder.testing.conformance.ConformanceCorpus.Case;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ZtocInfoTest {

  static Stream<Case> readableCases() {
    return ConformanceCorpus.okCases().stream().filter(Case::readbackOk);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("readableCases")
  void infoJsonEqualsSocisOutputByteForByte(Case c) {
    byte[] bytes = ConformanceCorpus.expectedZtoc(c);

    String json = ZtocInfo.toJson(ZtocCodec.decode(bytes), bytes.length);

    assertThat(json).isEqualTo(new String(ConformanceCorpus.expectedInfo(c), StandardCharsets.UTF_8));
  }

  @Test
  void escapesNamesLikeGoEncodingJson() {
    Ztoc z = ZtocCodec.decode(ConformanceCorpus.expectedZtoc(ConformanceCorpus.named("empty-archive")));
    byte[] name = {
      '<', '>', '&', 1, 0x1f, '\b', '\f', 0x7f, '"', '\\',
      (byte) 0xe2, (byte) 0x80, (byte) 0xa8, // U+2028
      (byte) 0xe2, (byte) 0x80, (byte) 0xa9, // U+2029
      (byte) 0xed, (byte) 0xa0, (byte) 0x80, // an encoded surrogate: 3 invalid bytes
      (byte) 0xc3, (byte) 0xa9, // é, valid
      (byte) 0xef, (byte) 0xbf, (byte) 0xbd, // a real U+FFFD stays literal
      (byte) 0xf0, (byte) 0x9f // truncated 4-byte sequence: 2 invalid bytes
    };
    FileMetadata f =
        new FileMetadata(name, "reg", 512, 0, new byte[0], 0644, 0, 0, new byte[0], new byte[0],
            new byte[0], 0, 0, List.of());
    Ztoc withFile = ZtocCodecTest.withToc(z, List.of(f));

    String json = ZtocInfo.toJson(withFile, 1);

    assertThat(json)
        .contains("\"filename\": \"\\u003c\\u003e\\u0026\\u0001\\u001f\\b\\f\u007f\\\"\\\\"
            + "\\u2028\\u2029\\ufffd\\ufffd\\ufffd\u00e9\ufffd\\ufffd\\ufffd\",");
  }

  @Test
  void nameStringReplacesEachInvalidByteLikeGo() {
    byte[] name = "a\u00e9".getBytes(StandardCharsets.UTF_8);
    byte[] latin1 = {'l', (byte) 0xe9, 't', (byte) 0xc0, (byte) 0xaf};
    FileMetadata ok =
        new FileMetadata(name, "reg", 0, 0, new byte[0], 0, 0, 0, new byte[0], new byte[0],
            new byte[0], 0, 0, List.of());
    FileMetadata bad =
        new FileMetadata(latin1, "reg", 0, 0, new byte[0], 0, 0, 0, new byte[0], new byte[0],
            new byte[0], 0, 0, List.of());

    assertThat(ok.nameString()).isEqualTo("a\u00e9");
    assertThat(bad.nameString()).isEqualTo("l\ufffdt\ufffd\ufffd");
  }
}
