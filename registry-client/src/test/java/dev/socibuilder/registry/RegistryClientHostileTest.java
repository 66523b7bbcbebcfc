package dev.socibuilder.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.oci.MediaTypes;
import dev.socibuilder.oci.StoredManifest;
import dev.socibuilder.testing.registry.HostileRegistry;
import dev.socibuilder.ztoc.BuildInfo;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client against a {@link HostileRegistry}: stalled and trickled bodies, absurd {@code Retry-After}s,
 * a huge referrers list, credentials asked for by other origins, hostile error text and redirects. Short
 * timeouts come from the client's configuration; retry waits are recorded by a fake sleeper instead of
 * being waited out. The class timeout only keeps a regression from hanging the build.
 */
@Timeout(60)
class RegistryClientHostileTest {
  static final String REPO = "hostile/app";
  static final String USER = "alice";
  static final String PASSWORD = "s3cret-Passw0rd";
  static final byte[] MANIFEST = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\","
      + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:"
      + "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\",\"size\":2},\"layers\":[]}")
      .getBytes(StandardCharsets.UTF_8);

  HostileRegistry registry;
  HostileRegistry elsewhere;
  List<Duration> sleeps;

  @BeforeEach
  void start() {
    registry = HostileRegistry.start();
    sleeps = Collections.synchronizedList(new ArrayList<>());
  }

  @AfterEach
  void stop() {
    registry.close();
    if (elsewhere != null) {
      elsewhere.close();
    }
  }

  private RegistryClient client(CredentialsProvider credentials, RetryPolicy retry, Duration timeout) {
    return new RegistryClient(credentials, retry, true, timeout, sleeps::add, RegistryClient.DEFAULT_CHUNK_SIZE);
  }

  private static RetryPolicy fast(int attempts) {
    return new RetryPolicy(attempts, Duration.ofMillis(10), Duration.ofMillis(100));
  }

  private static CredentialsProvider alice() {
    return registry -> new Credentials(USER, PASSWORD);
  }

  private static String basicValue() {
    return "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
  }

  // ------------------------------------------------------------------ 1: every body read has a stall timeout

  @Test
  void aManifestBodyThatStallsAfterItsHeadersTimesOutAndIsRetried() {
    registry.stallAfterHeaders("GET", "/manifests/v1", 1, 200, "{\"schema".getBytes(StandardCharsets.UTF_8),
        MANIFEST.length, "Content-Type", MediaTypes.OCI_MANIFEST);
    registry.respond("GET", "/manifests/v1", 1, 200, MANIFEST, "Content-Type", MediaTypes.OCI_MANIFEST);

    try (RegistryClient c = client(null, fast(3), Duration.ofMillis(300))) {
      StoredManifest m = c.getManifest(registry.hostPort(), REPO, "v1", null);

      assertThat(m.bytes()).isEqualTo(MANIFEST);
    }
    assertThat(registry.requests("GET", "/manifests/v1")).hasSize(2);
    assertThat(sleeps).hasSize(1);
  }

  @Test
  void aTokenBodyThatStallsFailsAsATimeoutInsteadOfHanging() {
    registry.bearerChallenge(registry.origin() + "/token");
    registry.stallAfterHeaders("GET", "^/token", HostileRegistry.ALWAYS, 200,
        "{\"tok".getBytes(StandardCharsets.UTF_8), 400, "Content-Type", "application/json");

    try (RegistryClient c = client(alice(), fast(2), Duration.ofMillis(300))) {
      assertThatThrownBy(() -> c.getManifest(registry.hostPort(), REPO, "v1", null))
          .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.isTransient()).isTrue())
          .hasMessageContaining("pull manifest").hasMessageContaining("timed out")
          .hasMessageContaining("no data received for 300 ms");
    }
    assertThat(registry.requests("GET", "^/token")).hasSize(2);
  }

  @Test
  void anErrorBodyThatStallsStillGivesTheStatusAndIsRetried() {
    registry.stallAfterHeaders("GET", "/manifests/v1", 1, 503, "{\"errors\":[".getBytes(StandardCharsets.UTF_8),
        10_000, "Content-Type", "application/json");
    registry.respond("GET", "/manifests/v1", 1, 200, MANIFEST, "Content-Type", MediaTypes.OCI_MANIFEST);

    try (RegistryClient c = client(null, fast(3), Duration.ofMillis(300))) {
      assertThat(c.getManifest(registry.hostPort(), REPO, "v1", null).bytes()).isEqualTo(MANIFEST);
    }
    assertThat(registry.requests("GET", "/manifests/v1")).hasSize(2);
  }

  @Test
  void aReferrersBodyThatStallsFailsAsATimeout() {
    Digest subject = Digest.sha256Of(MANIFEST);
    registry.stallAfterHeaders("GET", "/referrers/", HostileRegistry.ALWAYS, 200,
        "{\"manifests\":[".getBytes(StandardCharsets.UTF_8), 5000, "Content-Type", MediaTypes.OCI_INDEX);

    try (RegistryClient c = client(null, RetryPolicy.none(), Duration.ofMillis(300))) {
      assertThatThrownBy(() -> c.referrers(registry.hostPort(), REPO, subject, null))
          .isInstanceOf(RegistryException.class).hasMessageContaining("list referrers").hasMessageContaining("timed out");
    }
  }

  // ------------------------------------------------------------------ 2: the deadline

  @Test
  void aBlobTrickledByteByByteFailsWhenTheDeadlinePasses() {
    byte[] blob = new byte[10_000];
    Digest d = Digest.sha256Of(blob);
    // A byte every 20 ms never trips the 5 s read timeout; only the 1 s deadline ends it.
    registry.trickle("GET", "/blobs/" + d, HostileRegistry.ALWAYS, blob, Duration.ofMillis(20));
    Deadline deadline = Deadline.after(Duration.ofSeconds(1));

    try (RegistryClient c = RegistryClient.builder().plainHttp(true).timeout(Duration.ofSeconds(5))
        .retry(fast(3)).sleeper(sleeps::add).deadline(deadline).build()) {
      assertThatThrownBy(() -> {
        try (InputStream in = c.openBlob(registry.hostPort(), REPO, d, blob.length)) {
          in.readAllBytes();
        }
      })
          .isInstanceOf(DeadlineExceededException.class)
          .hasMessageContaining("pull blob " + registry.hostPort() + "/" + REPO + "@" + d)
          .hasMessageContaining("the deadline (1s) passed");
    }
    assertThat(deadline.expired()).isTrue();
    assertThat(registry.requests("GET", "/blobs/")).hasSize(1);
  }

  @Test
  void noRequestIsSentOnceTheDeadlineHasPassed() {
    try (RegistryClient c = RegistryClient.builder().plainHttp(true).deadline(Deadline.after(Duration.ZERO)).build()) {
      assertThatThrownBy(() -> c.getManifest(registry.hostPort(), REPO, "v1", null))
          .isInstanceOf(DeadlineExceededException.class)
          .hasMessage("pull manifest " + registry.hostPort() + "/" + REPO + ":v1: stopped, the deadline (0ms) passed");
    }
    assertThat(registry.requests()).isEmpty();
  }

  @Test
  void aResponseThatWouldArriveAfterTheDeadlineIsNotWaitedFor() {
    registry.stallAfterHeaders("GET", "/manifests/v1", HostileRegistry.ALWAYS, 200, new byte[0], MANIFEST.length);

    try (RegistryClient c = RegistryClient.builder().plainHttp(true).timeout(Duration.ofSeconds(30))
        .deadline(Deadline.after(Duration.ofMillis(300))).sleeper(sleeps::add).build()) {
      assertThatThrownBy(() -> c.getManifest(registry.hostPort(), REPO, "v1", null))
          .isInstanceOf(DeadlineExceededException.class).hasMessageContaining("the deadline (300ms) passed");
    }
    assertThat(sleeps).isEmpty();
  }

  // ------------------------------------------------------------------ 3: Retry-After is capped

  @Test
  void anAbsurdRetryAfterIsCappedAndTheRetryBudgetEndsTheOperation() {
    registry.retryAfter("GET", "/manifests/v1", HostileRegistry.ALWAYS, 429, "999999");

    try (RegistryClient c = client(null, fast(10), Duration.ofSeconds(5))) {
      assertThatThrownBy(() -> c.getManifest(registry.hostPort(), REPO, "v1", null))
          .isInstanceOfSatisfying(RegistryException.class, e -> {
            assertThat(e.status()).isEqualTo(429);
            assertThat(e.isTransient()).isTrue();
          })
          .hasMessageContaining("would exceed the retry budget of 2m")
          .hasMessageContaining("the registry asked for 24h, the longest single wait is 1m");
    }
    // 60 s (capped) + 60 s fill the 2 minute budget; a third wait would exceed it.
    assertThat(sleeps).containsExactly(Duration.ofSeconds(60), Duration.ofSeconds(60));
    assertThat(registry.requests("GET", "/manifests/v1")).hasSize(3);
  }

  @Test
  void aRetryAfterBeyondTheDeadlineFailsAtOnceSayingWhy() {
    registry.retryAfter("GET", "/manifests/v1", HostileRegistry.ALWAYS, 503, "30");

    try (RegistryClient c = RegistryClient.builder().plainHttp(true).retry(fast(5)).sleeper(sleeps::add)
        .deadline(Deadline.after(Duration.ofSeconds(20))).build()) {
      assertThatThrownBy(() -> c.getManifest(registry.hostPort(), REPO, "v1", null))
          .isInstanceOf(DeadlineExceededException.class)
          .hasMessageContaining("HTTP 503")
          .hasMessageContaining("not retried: waiting 30s (Retry-After) would pass the deadline (20s)");
    }
    assertThat(sleeps).isEmpty();
    assertThat(registry.requests()).hasSize(1);
  }

  // ------------------------------------------------------------------ 4: referrers are bounded

  @Test
  void aHugeReferrersListIsNotReadBeyondItsLimit() {
    Digest subject = Digest.sha256Of(MANIFEST);
    registry.hugeIndex("GET", "/referrers/", HostileRegistry.ALWAYS, 150_000, MediaTypes.SOCI_INDEX_V1);

    try (RegistryClient c = client(null, fast(3), Duration.ofSeconds(5))) {
      assertThatThrownBy(() -> c.referrers(registry.hostPort(), REPO, subject, MediaTypes.SOCI_INDEX_V1))
          .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.isTransient()).isFalse())
          .hasMessageContaining("list referrers of").hasMessageContaining(subject.toString())
          .hasMessageContaining("larger than " + RegistryClient.MAX_REFERRERS_BYTES + " bytes");
    }
    assertThat(registry.requests()).hasSize(1);
  }

  // ------------------------------------------------------------------ 5: credentials stay with their origin

  @Test
  void anUploadLocationOnAnotherOriginGetsNoCredentials() {
    elsewhere = HostileRegistry.start();
    elsewhere.acceptUploads();
    registry.requireBasic(USER, PASSWORD);
    registry.uploadLocation(elsewhere.origin(), HostileRegistry.ALWAYS);
    byte[] blob = "pushed through a foreign upload location".getBytes(StandardCharsets.UTF_8);

    try (RegistryClient c = client(alice(), fast(2), Duration.ofSeconds(5))) {
      c.pushBlob(registry.hostPort(), REPO, Digest.sha256Of(blob), blob);
    }

    assertThat(registry.requests("POST", "/blobs/uploads/")).last()
        .extracting(r -> r.header("Authorization")).isEqualTo(basicValue());
    assertThat(elsewhere.requests("PUT", "/upload/")).singleElement()
        .satisfies(r -> assertThat(r.header("Authorization")).isNull())
        .satisfies(r -> assertThat(r.bodyLength()).isEqualTo(blob.length));
  }

  @Test
  void anotherOriginAskingForCredentialsGetsNoneAndAClearError() {
    elsewhere = HostileRegistry.start();
    elsewhere.requireBasic(USER, PASSWORD);
    registry.requireBasic(USER, PASSWORD);
    registry.uploadLocation(elsewhere.origin(), HostileRegistry.ALWAYS);
    byte[] blob = "a blob".getBytes(StandardCharsets.UTF_8);

    try (RegistryClient c = client(alice(), fast(2), Duration.ofSeconds(5))) {
      assertThatThrownBy(() -> c.pushBlob(registry.hostPort(), REPO, Digest.sha256Of(blob), blob))
          .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.status()).isEqualTo(401))
          .hasMessageContaining(elsewhere.origin() + " asks for credentials")
          .hasMessageContaining("only sent to the registry's own origin http://" + registry.hostPort());
    }
    assertThat(elsewhere.requests()).allSatisfy(r -> assertThat(r.header("Authorization")).isNull());
  }

  // ------------------------------------------------------------------ 6: no https -> http realm

  @Test
  void anHttpsRegistryWithAPlainHttpRealmGetsNoPassword() {
    elsewhere = HostileRegistry.start(); // the "token service", over plain http
    HostileRegistry tls = HostileRegistry.startTls();
    try {
      tls.bearerChallenge(elsewhere.origin() + "/token");
      try (RegistryClient c = RegistryClient.builder().credentials(alice()).retry(fast(2)).sleeper(sleeps::add)
          .timeout(Duration.ofSeconds(5)).sslContext(tls.clientSslContext()).build()) {
        assertThatThrownBy(() -> c.getManifest(tls.hostPort(), REPO, "v1", null))
            .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.isTransient()).isFalse())
            .hasMessageContaining("the registry is https but its token service realm is plain http ("
                + elsewhere.origin() + ")")
            .hasMessageContaining("refusing to send credentials unencrypted");
      }
      assertThat(tls.requests()).hasSize(1);
    } finally {
      tls.close();
    }
    assertThat(elsewhere.requests()).isEmpty();
  }

  // ------------------------------------------------------------------ 7: User-Agent

  @Test
  void everyRequestCarriesTheUserAgent() {
    registry.requireBasic(USER, PASSWORD);
    registry.respond("GET", "/manifests/v1", 1, 200, MANIFEST, "Content-Type", MediaTypes.OCI_MANIFEST);

    try (RegistryClient c = client(alice(), fast(2), Duration.ofSeconds(5))) {
      c.getManifest(registry.hostPort(), REPO, "v1", null);
    }

    assertThat(registry.requests()).hasSize(2).allSatisfy(r ->
        assertThat(r.header("User-Agent")).isEqualTo("soci-builder/" + BuildInfo.version()));
  }

  // ------------------------------------------------------------------ 13: redirects and connections

  @Test
  void aBlobRedirectToAFileUrlFailsClearly() {
    Digest d = Digest.sha256Of(MANIFEST);
    registry.redirect("GET", "/blobs/", HostileRegistry.ALWAYS, 307, "file:///etc/passwd");

    try (RegistryClient c = client(null, fast(2), Duration.ofSeconds(5))) {
      assertThatThrownBy(() -> c.openBlob(registry.hostPort(), REPO, d, MANIFEST.length))
          .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.isTransient()).isFalse())
          .hasMessageContaining("pull blob").hasMessageContaining("HTTP 307")
          .hasMessageContaining("redirect points at a file: URL 'file:///etc/passwd'; only http and https URLs are followed");
    }
  }

  @Test
  void aMalformedLocationFailsClearly() {
    Digest d = Digest.sha256Of(MANIFEST);
    registry.redirect("GET", "/blobs/", HostileRegistry.ALWAYS, 302, "http://[::1/x y");
    registry.on("POST", "/blobs/uploads/$", HostileRegistry.ALWAYS, (req, out, s) ->
        out.write(HostileRegistry.head(202, 0, "Location", "http://exa mple.com:99999/%%")));

    try (RegistryClient c = client(null, fast(2), Duration.ofSeconds(5))) {
      assertThatThrownBy(() -> c.openBlob(registry.hostPort(), REPO, d, MANIFEST.length))
          .isInstanceOf(RegistryException.class)
          .hasMessageContaining("redirect has a malformed Location 'http://[::1/x y'");
      assertThatThrownBy(() -> c.pushBlob(registry.hostPort(), REPO, d, MANIFEST))
          .isInstanceOf(RegistryException.class)
          .hasMessageContaining("push blob").hasMessageContaining("upload response has a malformed Location");
    }
  }

  @Test
  void aClosedPortSaysTheConnectionWasRefused() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (RegistryClient c = client(null, RetryPolicy.none(), Duration.ofSeconds(5))) {
      String host = "127.0.0.1:" + port;
      assertThatThrownBy(() -> c.getManifest(host, REPO, "v1", null))
          .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.isTransient()).isTrue())
          // The socket's own reason (java.net.http's ConnectException carried none: "cannot connect (null)").
          .hasMessage("pull manifest " + host + "/" + REPO + ":v1 failed: cannot connect (Connection refused)");
    }
  }

  // ------------------------------------------------------------------ 14: registry text is sanitized

  @Test
  void errorTextWithEscapesAndAnEchoedAuthorizationIsCleanedAndRedacted() {
    String hostile = "\u001b[31mdenied\u001b[0m\r\nInjected-Line: yes \u001b]0;pwned title\u0007"
        + " request was: Authorization: " + basicValue() + " \u009b2J";
    registry.requireBasic(USER, PASSWORD);
    registry.respond("GET", "/manifests/v1", HostileRegistry.ALWAYS, 403,
        HostileRegistry.errorJson("DENIED\u001b[2J", hostile), "Content-Type", "application/json");

    try (RegistryClient c = client(alice(), fast(2), Duration.ofSeconds(5))) {
      assertThatThrownBy(() -> c.getManifest(registry.hostPort(), REPO, "v1", null))
          .isInstanceOf(RegistryException.class)
          .satisfies(e -> assertThat(e.getMessage())
              .doesNotContain("\u001b").doesNotContain("\u009b").doesNotContain("\u0007")
              .doesNotContain("\n").doesNotContain("\r")
              .doesNotContain(basicValue().substring(6)).doesNotContain(PASSWORD)
              .contains("HTTP 403 DENIED - denied Injected-Line: yes request was: Authorization: [redacted]"));
    }
  }
}
