package dev.socibuilder.testing.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class RegistryServerTlsTest {

  @Test
  void servesHttpsThatOnlyItsTrustStoreTrusts() throws Exception {
    try (RegistryServer registry = RegistryServer.basicAuth("user", "secret").withTls().start()) {
      assertThat(registry.scheme()).isEqualTo("https");
      URI v2 = URI.create("https://" + registry.hostPort() + "/v2/");
      HttpRequest request = HttpRequest.newBuilder(v2).timeout(Duration.ofSeconds(10)).build();

      HttpClient trusting = HttpClient.newBuilder().sslContext(TlsTrust.sslContext(registry.trustStore())).build();
      HttpResponse<Void> response = trusting.send(request, HttpResponse.BodyHandlers.discarding());
      assertThat(response.statusCode()).isEqualTo(401);
      assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
          h -> assertThat(h).startsWith("Basic"));

      // A self-signed certificate: the JDK's own trust anchors do not trust it.
      HttpClient defaults = HttpClient.newHttpClient();
      assertThatThrownBy(() -> defaults.send(request, HttpResponse.BodyHandlers.discarding()))
          .isInstanceOf(SSLHandshakeException.class);

      KeyStore store = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(registry.trustStore())) {
        store.load(in, TlsTrust.PASSWORD);
      }
      assertThat(store.containsAlias("soci-test-registry")).isTrue();
      assertThat(store.size()).as("the default anchors too").isGreaterThan(1);
    }
  }

  @Test
  void plainRegistryHasNoTrustStore() throws Exception {
    try (RegistryServer registry = RegistryServer.anonymous().start()) {
      assertThat(registry.scheme()).isEqualTo("http");
      assertThatThrownBy(registry::trustStore).isInstanceOf(IllegalStateException.class);
    }
  }
}
