package dev.socibuilder.ztoc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.testing.conformance.ConformanceCorpus;
import dev.socibuilder.testing.conformance.ConformanceCorpus.Case;
import dev.socibuilder.testing.conformance.ConformanceCorpus.FileCase;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Extraction through the checkpoints of soci's own zTOCs, checked against files.json. */
class FileExtractorTest {

  static Stream<Arguments> casesWithFiles() {
    return ConformanceCorpus.okCases().stream()
        .filter(c -> !ConformanceCorpus.files(c.name()).isEmpty())
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("casesWithFiles")
  void extractsEveryListedFileByteExactThroughItsSpans(Case c) throws IOException {
    Ztoc ztoc = ZtocCodec.decode(ConformanceCorpus.expectedZtoc(c));
    byte[] layer = ConformanceCorpus.layerBytes(c);
    for (FileCase f : ConformanceCorpus.files(c.name())) {
      FileMetadata m = FileExtractor.find(ztoc, f.rawPath()).orElseThrow(() -> new AssertionError("not in TOC: " + f.path()));
      AtomicLong lowestOffsetRead = new AtomicLong(Long.MAX_VALUE);
      FileExtractor.LayerSource source =
          offset -> {
            lowestOffsetRead.accumulateAndGet(offset, Math::min);
            return new ByteArrayInputStream(layer, (int) offset, layer.length - (int) offset);
          };

      byte[] content = FileExtractor.extract(ztoc, source, m);

      assertThat(content.length).as("%s size", f.path()).isEqualTo(f.size());
      assertThat(Digest.sha256Of(content).hex()).as("%s content", f.path()).isEqualTo(f.sha256());
      if (c.gzip() && f.startSpan() > 0) {
        // It resumed at a checkpoint instead of inflating from the start of the layer.
        assertThat(lowestOffsetRead.get()).as("%s read from", f.path()).isGreaterThan(0L);
      }
    }
  }
}
