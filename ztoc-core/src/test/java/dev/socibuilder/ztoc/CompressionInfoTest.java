package dev.socibuilder.ztoc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socibuilder.json.JsonParser;
import dev.socibuilder.json.JsonValue;
import dev.socibuilder.testing.conformance.ConformanceCorpus;
import dev.socibuilder.testing.conformance.ConformanceCorpus.Case;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CompressionInfoTest {

  static Stream<Case> readableCases() {
    return ConformanceCorpus.okCases().stream().filter(Case::readbackOk);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("readableCases")
  void spanSizeIsTheOneSociZtocInfoReports(Case c) {
    Ztoc z = ZtocCodec.decode(ConformanceCorpus.expectedZtoc(c));
    JsonValue.JsonObject info = (JsonValue.JsonObject) JsonParser.parse(ConformanceCorpus.expectedInfo(c));

    assertThat(z.compressionInfo().spanSize())
        .isEqualTo(Long.parseLong(((JsonValue.JsonNumber) info.get("span_size")).text()));
  }
}
