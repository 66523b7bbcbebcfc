package dev.socibuilder.registry.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RequestTest {
  static final URI URI_ = URI.create("https://registry.example/v2/app/manifests/v1");

  @Test
  void headersAreKeptByNameWithoutCaseAndSetHeaderReplaces() {
    Request r = Request.newBuilder(URI_).GET().header("Accept", "a/b").header("accept", "c/d")
        .setHeader("User-Agent", "x").setHeader("user-agent", "y").timeout(Duration.ofSeconds(3)).build();

    assertThat(r.method()).isEqualTo("GET");
    assertThat(r.headers().allValues("ACCEPT")).containsExactly("a/b", "c/d");
    assertThat(r.headers().allValues("User-Agent")).containsExactly("y");
    assertThat(r.body()).isNull();
    assertThat(r.timeout()).contains(Duration.ofSeconds(3));
    assertThat(r.withTimeout(Duration.ofMillis(5)).timeout()).contains(Duration.ofMillis(5));
  }

  @Test
  void headerValuesThatWouldSplitTheRequestAreRefused() {
    Request.Builder b = Request.newBuilder(URI_);

    assertThatThrownBy(() -> b.header("X", "a\r\nInjected: yes")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid character in the value of header X");
    assertThatThrownBy(() -> b.header("Bad Name", "v")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid header name 'Bad Name'");
    assertThatThrownBy(() -> b.header("Content-Length", "5")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("header Content-Length is set by the client");
    assertThatThrownBy(() -> b.method("GET /x HTTP/1.1\r\n", null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void onlyHttpUrisWithAHostAndPositiveTimeouts() {
    assertThatThrownBy(() -> Request.newBuilder(URI.create("file:///etc/passwd")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an http(s) URI");
    assertThatThrownBy(() -> Request.newBuilder(URI.create("http:/no-host")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("without a host");
    assertThatThrownBy(() -> Request.newBuilder(URI_).timeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
