package dev.socibuilder.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socibuilder.registry.http.Headers;
import dev.socibuilder.registry.http.Request;
import dev.socibuilder.registry.http.Response;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the authenticator reports for the plain-HTTP warning. (Its exchanges with real token services are
 * tested in {@link RegistryClientAuthTest}; these token services are on loopback, where nothing warns.)
 */
class AuthenticatorTest {
  private static final Op PULL = new Op("get manifest", "registry.example.com:5000", "app", "v1", false);

  private static Headers bearerChallenge(String realm) {
    return Headers.of(Map.of("WWW-Authenticate", List.of("Bearer realm=\"" + realm + "\",service=\"registry\"")));
  }

  /** A token service that answers every request with {@code access-1}, recording what it was sent. */
  private static Authenticator.Sender tokenService(List<Request> sent) {
    return (b, authorization) -> {
      Request req = b.build();
      sent.add(req);
      return new Response(200, Headers.empty(),
          new ByteArrayInputStream("{\"token\":\"access-1\"}".getBytes(StandardCharsets.UTF_8)), req.uri());
    };
  }

  @Test
  void anIdentityTokenPostedToAPlainHttpTokenServiceIsReportedForTheWarning() throws Exception {
    List<URI> clearText = new ArrayList<>();
    List<Request> sent = new ArrayList<>();
    Authenticator a = new Authenticator(r -> Credentials.identityToken("refresh-1"), tokenService(sent),
        clearText::add, Duration.ofSeconds(5), true);

    assertThat(a.afterChallenge(PULL, bearerChallenge("http://auth.example.com/token"), null))
        .isEqualTo("Bearer access-1");

    assertThat(sent).extracting(Request::method).containsExactly("POST");
    assertThat(clearText).containsExactly(URI.create("http://auth.example.com/token"));
  }

  @Test
  void aPasswordGoesInTheAuthorizationHeaderWhichTheSenderWarnsAbout() throws Exception {
    List<URI> clearText = new ArrayList<>();
    List<Request> sent = new ArrayList<>();
    Authenticator a = new Authenticator(r -> new Credentials("alice", "pw"), tokenService(sent), clearText::add,
        Duration.ofSeconds(5), true);

    assertThat(a.afterChallenge(PULL, bearerChallenge("http://auth.example.com/token"), null))
        .isEqualTo("Bearer access-1");

    assertThat(sent).extracting(Request::method).containsExactly("GET");
    assertThat(clearText).isEmpty();
  }
}
