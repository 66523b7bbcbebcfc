package dev.socibuilder.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.registry.http.Request;
import java.io.IOException;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransportTest {
  @Test
  void warnsOnceForBasicCredentialsOverPlainHttpToAnotherHost() {
    List<String> warnings = new ArrayList<>();
    try (Transport t = new Transport(null, RetryPolicy.none(), true, Duration.ofSeconds(1), Deadline.none(),
        d -> { }, warnings::add, null)) {
      t.warnIfClearText(URI.create("http://registry.example.com:5000/v2/app/manifests/v1"));
      t.warnIfClearText(URI.create("http://registry.example.com:5000/v2/app/blobs/x"));
      t.warnIfClearText(URI.create("https://secure.example.com/v2/"));
      t.warnIfClearText(URI.create("http://127.0.0.1:5000/v2/"));
      t.warnIfClearText(URI.create("http://localhost:5000/v2/"));
      t.warnIfClearText(URI.create("http://[::1]:5000/v2/"));
      t.warnIfClearText(URI.create("http://other.example.com/v2/"));
    }

    assertThat(warnings).containsExactly(
        "credentials for http://registry.example.com:5000 are sent over plain HTTP, unencrypted",
        "credentials for http://other.example.com:80 are sent over plain HTTP, unencrypted");
  }

  @Test
  void warnsForABearerTokenOverPlainHttpAsForBasic() {
    List<String> warnings = new ArrayList<>();
    try (Transport t = new Transport(null, RetryPolicy.none(), true, Duration.ofSeconds(1), Deadline.none(),
        d -> { }, warnings::add, null)) {
      // 0.0.0.0 is not a loopback name; nothing listens on port 1, so the request fails at once.
      assertThatThrownBy(() -> t.send(Request.newBuilder(URI.create("http://0.0.0.0:1/v2/")).GET(), "Bearer t-1"))
          .isInstanceOf(IOException.class);
      assertThatThrownBy(() -> t.send(Request.newBuilder(URI.create("http://0.0.0.0:1/v2/")).GET(), null))
          .isInstanceOf(IOException.class);
    }

    assertThat(warnings).containsExactly("credentials for http://0.0.0.0:1 are sent over plain HTTP, unencrypted");
  }

  @Test
  void loopbackIsLocalhostAnd127AndV6Loopback() {
    assertThat(Transport.isLoopback("127.0.0.1")).isTrue();
    assertThat(Transport.isLoopback("127.1.2.3")).isTrue();
    assertThat(Transport.isLoopback("LOCALHOST")).isTrue();
    assertThat(Transport.isLoopback("[::1]")).isTrue();
    assertThat(Transport.isLoopback("127.0.0.1.example.com")).isFalse();
    assertThat(Transport.isLoopback("10.0.0.1")).isFalse();
    assertThat(Transport.isLoopback("registry.example.com")).isFalse();
    assertThat(Transport.isLoopback(null)).isFalse();
  }

  @Test
  void originsCompareSchemeHostAndPortWithDefaultPortsMadeExplicit() {
    assertThat(Transport.sameOrigin(URI.create("https://r.example.com/v2/x"), URI.create("https://R.example.com:443/up")))
        .isTrue();
    assertThat(Transport.sameOrigin(URI.create("https://r.example.com/"), URI.create("http://r.example.com/"))).isFalse();
    assertThat(Transport.sameOrigin(URI.create("https://r.example.com/"), URI.create("https://r.example.com:8443/")))
        .isFalse();
    assertThat(Transport.sameOrigin(URI.create("https://r.example.com/"), URI.create("https://s3.example.com/")))
        .isFalse();
  }
}
