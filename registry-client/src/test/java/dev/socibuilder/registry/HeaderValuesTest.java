package dev.socibuilder.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.registry.http.Headers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeaderValuesTest {
  private static Headers headers(String... nameValues) {
    Map<String, List<String>> map = new java.util.HashMap<>();
    for (int i = 0; i < nameValues.length; i += 2) {
      map.put(nameValues[i], List.of(nameValues[i + 1]));
    }
    return Headers.of(map);
  }

  @Test
  void retryAfterAcceptsSecondsAndCapsAbsurdValues() {
    assertThat(HeaderValues.retryAfter(headers("Retry-After", "3"))).isEqualTo(Duration.ofSeconds(3));
    assertThat(HeaderValues.retryAfter(headers("Retry-After", " 7 "))).isEqualTo(Duration.ofSeconds(7));
    assertThat(HeaderValues.retryAfter(headers("Retry-After", "86400"))).isEqualTo(Duration.ofDays(1));
    assertThat(HeaderValues.retryAfter(headers("Retry-After", "999999999999"))).isEqualTo(Duration.ofDays(1));
    assertThat(HeaderValues.retryAfter(headers())).isNull();
  }

  @Test
  void retryAfterAcceptsAnHttpDateAndTreatsThePastAsNow() {
    String inAMinute = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now().plusSeconds(65));
    assertThat(HeaderValues.retryAfter(headers("Retry-After", inAMinute)))
        .isBetween(Duration.ofSeconds(50), Duration.ofSeconds(66));
    String past = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now().minusHours(1));
    assertThat(HeaderValues.retryAfter(headers("Retry-After", past))).isEqualTo(Duration.ZERO);
    assertThat(HeaderValues.retryAfter(headers("Retry-After", "soon"))).isNull();
  }

  @Test
  void rangeEndReadsDistributionsFormWithOrWithoutUnit() {
    assertThat(HeaderValues.rangeEnd("0-1023")).isEqualTo(1023);
    assertThat(HeaderValues.rangeEnd("bytes=0-99")).isEqualTo(99);
    assertThat(HeaderValues.rangeEnd("garbage")).isEqualTo(-2);
  }

  @Test
  void contentRangeGivesStartAndTotal() {
    assertThat(HeaderValues.contentRangeStart("bytes 100-199/200")).isEqualTo(100);
    assertThat(HeaderValues.contentRangeTotal("bytes 100-199/200")).isEqualTo(200);
    assertThat(HeaderValues.contentRangeTotal("bytes 100-199/*")).isEqualTo(-1);
    assertThat(HeaderValues.contentRangeStart("nonsense")).isEqualTo(-1);
  }

  @Test
  void contentRangeGivesTheLastByte() {
    assertThat(HeaderValues.contentRangeEnd("bytes 100-199/200")).isEqualTo(199);
    assertThat(HeaderValues.contentRangeEnd(" bytes 0-8388607/*")).isEqualTo(8388607);
    assertThat(HeaderValues.contentRangeEnd("bytes 100-/200")).isEqualTo(-1);
    assertThat(HeaderValues.contentRangeEnd("bytes */200")).isEqualTo(-1);
    assertThat(HeaderValues.contentRangeEnd("bytes 100-199")).isEqualTo(-1);
    assertThat(HeaderValues.contentRangeEnd("nonsense")).isEqualTo(-1);
  }

  @Test
  void contentDigestIgnoresWhatIsNotADigest() {
    Digest d = Digest.sha256Of(new byte[] {1});
    assertThat(HeaderValues.contentDigest(headers("Docker-Content-Digest", " " + d + " "))).isEqualTo(d);
    assertThat(HeaderValues.contentDigest(headers("Docker-Content-Digest", "sha256:zz"))).isNull();
    assertThat(HeaderValues.contentDigest(headers())).isNull();
  }

  @Test
  void manifestMediaTypeFallsBackToTheDocumentsOwnFieldForGenericTypes() {
    byte[] doc = "{\"mediaType\":\"application/vnd.oci.image.index.v1+json\"}".getBytes(StandardCharsets.UTF_8);
    assertThat(HeaderValues.manifestMediaType(
        headers("Content-Type", "application/vnd.oci.image.manifest.v1+json; charset=utf-8"), doc))
        .isEqualTo("application/vnd.oci.image.manifest.v1+json");
    assertThat(HeaderValues.manifestMediaType(headers("Content-Type", "application/json"), doc))
        .isEqualTo("application/vnd.oci.image.index.v1+json");
    assertThat(HeaderValues.manifestMediaType(headers(), "not json".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("application/json");
  }

  @Test
  void nextLinkFindsTheNextRelationAmongLinks() {
    assertThat(HeaderValues.nextLink(headers("Link", "</v2/_catalog?last=b&n=2>; rel=\"next\"")))
        .isEqualTo("/v2/_catalog?last=b&n=2");
    assertThat(HeaderValues.nextLink(headers("Link",
        "<https://r.example/v2/a/tags/list?n=1>; rel=\"prev\", <https://r.example/v2/a/tags/list?last=x&n=1>; rel=next")))
        .isEqualTo("https://r.example/v2/a/tags/list?last=x&n=1");
    assertThat(HeaderValues.nextLink(headers("Link", "</p?x=1>; title=\"a, b\"; rel=\"last next\"")))
        .isEqualTo("/p?x=1");
    assertThat(HeaderValues.nextLink(headers("Link", "</p>; rel=\"prev\""))).isNull();
    assertThat(HeaderValues.nextLink(headers("Link", "garbage; rel=next"))).isNull();
    assertThat(HeaderValues.nextLink(headers())).isNull();
  }
}
