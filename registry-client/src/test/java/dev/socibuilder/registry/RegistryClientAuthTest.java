package dev.socibuilder.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.oci.StoredManifest;
import dev.socibuilder.testing.registry.RegistryServer;
import dev.socibuilder.testing.registry.Skopeo;
import dev.socibuilder.testing.registry.TestImages;
import dev.socibuilder.testing.registry.TestImages.LayerSpec;
import dev.socibuilder.testing.registry.TestImages.TestImage;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Basic and token authentication against real registries (htpasswd, and Distribution's JWT tokens). */
class RegistryClientAuthTest {
  static final String USER = "alice";
  static final String PASSWORD = "correct-horse-battery";
  static final String WRONG = "wrong-password-9876";
  static final String IDENTITY_TOKEN = "refresh-token-5432";

  @TempDir
  static Path tmp;

  static RegistryServer basic;
  static RegistryServer token;
  static TestImage image;

  @BeforeAll
  static void start() {
    basic = RegistryServer.basicAuth(USER, PASSWORD).start();
    token = RegistryServer.tokenAuth(USER, PASSWORD, IDENTITY_TOKEN).start();
    image = TestImages.singlePlatform(tmp.resolve("img"), "v1", LayerSpec.compressible(32 << 10, 5));
    Skopeo.copy(image.ociReference(), "docker://" + basic.hostPort() + "/auth/app:v1", basic.destCredsArgs());
    Skopeo.copy(image.ociReference(), "docker://" + token.hostPort() + "/auth/app:v1", token.destCredsArgs());
  }

  @AfterAll
  static void stop() {
    if (basic != null) {
      basic.close();
    }
    if (token != null) {
      token.close();
    }
  }

  private static RegistryClient client(String password) {
    CredentialsProvider creds = password == null ? null : r -> new Credentials(USER, password);
    return new RegistryClient(creds, RetryPolicy.defaults(), true, Duration.ofSeconds(10));
  }

  private static RegistryClient identityClient(String identityToken) {
    return new RegistryClient(r -> Credentials.identityToken(identityToken), RetryPolicy.defaults(), true,
        Duration.ofSeconds(10));
  }

  private static void pullEverything(RegistryClient c, String host) throws Exception {
    StoredManifest m = c.getManifest(host, "auth/app", "v1", null);
    assertThat(m.digest()).isEqualTo(Digest.parse(image.digest()));
    TestImages.Layer layer = image.manifests().get(0).layers().get(0);
    try (InputStream in = c.openBlob(host, "auth/app", Digest.parse(layer.digest()), layer.size())) {
      assertThat(in.readAllBytes()).isEqualTo(Files.readAllBytes(image.blob(layer.digest())));
    }
  }

  private static void pushSomething(RegistryClient c, String host) {
    byte[] blob = "pushed with auth".getBytes(StandardCharsets.UTF_8);
    c.pushBlob(host, "auth/pushed", Digest.sha256Of(blob), blob);
    assertThat(c.blobExists(host, "auth/pushed", Digest.sha256Of(blob))).isTrue();
  }

  @Test
  void basicAuthPullsAndPushes() throws Exception {
    try (RegistryClient c = client(PASSWORD)) {
      pullEverything(c, basic.hostPort());
      pushSomething(c, basic.hostPort());
    }
  }

  @Test
  void basicAuthWithWrongPasswordFailsClearlyWithoutThePassword() {
    try (RegistryClient c = client(WRONG)) {
      assertThatThrownBy(() -> c.getManifest(basic.hostPort(), "auth/app", "v1", null))
          .isInstanceOfSatisfying(RegistryException.class, e -> {
            assertThat(e.status()).isEqualTo(401);
            assertThat(e.isTransient()).isFalse();
          })
          .hasMessageContaining("authenticate").hasMessageContaining(basic.hostPort()).hasMessageContaining("auth/app")
          .hasMessageContaining("'alice'")
          .satisfies(e -> assertThat(fullText(e)).doesNotContain(WRONG).doesNotContain("Basic "));
    }
  }

  @Test
  void anonymousAccessToABasicAuthRegistrySaysCredentialsAreMissing() {
    try (RegistryClient c = client(null)) {
      assertThatThrownBy(() -> c.getManifest(basic.hostPort(), "auth/app", "v1", null))
          .isInstanceOf(RegistryException.class)
          .hasMessageContaining("no credentials are configured for " + basic.hostPort());
    }
  }

  @Test
  void tokenAuthPullsAndPushesAndReusesTokens() throws Exception {
    try (RegistryClient c = client(PASSWORD)) {
      pullEverything(c, token.hostPort());
      int afterFirstPull = token.tokenRequests();
      pullEverything(c, token.hostPort());

      assertThat(token.tokenRequests()).isEqualTo(afterFirstPull);
      pushSomething(c, token.hostPort());
      pushSomething(c, token.hostPort());
      // Another repository: a pull token for the HEAD, a pull,push token for the upload; both cached.
      assertThat(token.tokenQueries().subList(afterFirstPull, token.tokenRequests()))
          .containsExactly("service=" + RegistryServer.SERVICE + "&scope=repository:auth/pushed:pull",
              "service=" + RegistryServer.SERVICE + "&scope=repository:auth/pushed:pull,push");
    }
  }

  @Test
  void mountTokenCoversPushOnTheTargetAndPullOnTheSource() throws Exception {
    byte[] blob = "mounted with a token".getBytes(StandardCharsets.UTF_8);
    Digest d = Digest.sha256Of(blob);
    try (RegistryClient c = client(PASSWORD)) {
      c.pushBlob(token.hostPort(), "auth/mount-source", d, blob);
      int before = token.tokenRequests();

      // Distribution checks pull on the source: a token without it would be refused (401), not mounted.
      boolean mounted = c.mountOrPushBlob(token.hostPort(), "auth/mount-target", d, blob, "auth/mount-source");

      assertThat(mounted).isTrue();
      assertThat(token.tokenQueries().subList(before, token.tokenRequests())).containsExactly(
          "service=" + RegistryServer.SERVICE + "&scope=repository:auth/mount-target:pull,push"
              + "&scope=repository:auth/mount-source:pull");
      try (InputStream in = c.openBlob(token.hostPort(), "auth/mount-target", d, blob.length)) {
        assertThat(in.readAllBytes()).isEqualTo(blob);
      }
    }
  }

  @Test
  void tokenServiceRejectingThePasswordFailsClearlyWithoutIt() {
    try (RegistryClient c = client(WRONG)) {
      assertThatThrownBy(() -> c.getManifest(token.hostPort(), "auth/app", "v1", null))
          .isInstanceOfSatisfying(RegistryException.class, e -> {
            assertThat(e.status()).isEqualTo(401);
            assertThat(e.isTransient()).isFalse();
            assertThat(e.errorCode()).isEqualTo("UNAUTHORIZED");
          })
          .hasMessageContaining("token service").hasMessageContaining("'alice'")
          .satisfies(e -> assertThat(fullText(e)).doesNotContain(WRONG));
    }
  }

  @Test
  void anIdentityTokenGetsItsTokensFromTheRefreshTokenGrant() throws Exception {
    try (RegistryClient c = identityClient(IDENTITY_TOKEN)) {
      int before = token.tokenRequests();
      pullEverything(c, token.hostPort());
      byte[] blob = "pushed with an identity token".getBytes(StandardCharsets.UTF_8);
      c.pushBlob(token.hostPort(), "auth/identity-pushed", Digest.sha256Of(blob), blob);

      // Every token came from a POST (the identity token in the body, never in a query string).
      List<String> asked = token.tokenQueries().subList(before, token.tokenRequests());
      assertThat(asked).isNotEmpty().allSatisfy(q -> assertThat(q).startsWith("POST service=" + RegistryServer.SERVICE));
      assertThat(asked).contains("POST service=" + RegistryServer.SERVICE + "&scope=repository:auth/app:pull",
          "POST service=" + RegistryServer.SERVICE + "&scope=repository:auth/identity-pushed:pull,push");
      try (InputStream in = c.openBlob(token.hostPort(), "auth/identity-pushed", Digest.sha256Of(blob), blob.length)) {
        assertThat(in.readAllBytes()).isEqualTo(blob);
      }
      assertThat(String.join("\n", token.tokenQueries())).doesNotContain(IDENTITY_TOKEN);
    }
  }

  @Test
  void aRefusedIdentityTokenFailsClearlyWithoutIt() {
    try (RegistryClient c = identityClient("not-" + IDENTITY_TOKEN)) {
      assertThatThrownBy(() -> c.getManifest(token.hostPort(), "auth/app", "v1", null))
          .isInstanceOfSatisfying(RegistryException.class, e -> {
            assertThat(e.status()).isEqualTo(401);
            assertThat(e.isTransient()).isFalse();
          })
          .hasMessageContaining("token service").hasMessageContaining("refused the identity token")
          .satisfies(e -> assertThat(fullText(e)).doesNotContain(IDENTITY_TOKEN));
    }
  }

  @Test
  void anIdentityTokenIsNeverSentAsBasic() {
    try (RegistryClient c = identityClient(IDENTITY_TOKEN)) {
      assertThatThrownBy(() -> c.getManifest(basic.hostPort(), "auth/app", "v1", null))
          .isInstanceOf(RegistryException.class)
          .hasMessageContaining("identity token").hasMessageContaining("asks for Basic")
          .satisfies(e -> assertThat(fullText(e)).doesNotContain(IDENTITY_TOKEN));
    }
  }

  @Test
  void anonymousTokenWithoutAccessIsRefused() {
    try (RegistryClient c = client(null)) {
      assertThatThrownBy(() -> c.getManifest(token.hostPort(), "auth/app", "v1", null))
          .isInstanceOf(RegistryException.class)
          .hasMessageContaining("anonymous access refused");
    }
  }

  private static String fullText(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      sb.append(t).append('\n');
    }
    return sb.toString();
  }
}
