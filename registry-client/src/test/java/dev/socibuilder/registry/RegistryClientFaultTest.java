package dev.socibuilder.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.socibuilder.digest.Digest;
import dev.socibuilder.oci.StoredManifest;
import dev.socibuilder.testing.registry.FaultProxy;
import dev.socibuilder.testing.registry.RegistryServer;
import dev.socibuilder.testing.registry.Skopeo;
import dev.socibuilder.testing.registry.TestImages;
import dev.socibuilder.testing.registry.TestImages.LayerSpec;
import dev.socibuilder.testing.registry.TestImages.TestImage;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults injected by a {@link FaultProxy} in front of a real registry. Retry delays are recorded by
 * a fake sleeper instead of being waited out.
 */
class RegistryClientFaultTest {
  @TempDir
  static Path tmp;

  static RegistryServer registry;
  static TestImage image;
  static TestImages.Layer big;
  static byte[] bigBytes;

  FaultProxy proxy;
  List<Duration> sleeps;
  RegistryClient client;

  @BeforeAll
  static void pushImage() throws Exception {
    registry = RegistryServer.anonymous().start();
    image = TestImages.singlePlatform(tmp.resolve("img"), "v1", LayerSpec.incompressible(1 << 20, 11));
    Skopeo.copy(image.ociReference(), "docker://" + registry.hostPort() + "/fault/app:v1");
    big = image.manifests().get(0).layers().get(0);
    bigBytes = Files.readAllBytes(image.blob(big.digest()));
  }

  @AfterAll
  static void stopRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  @BeforeEach
  void startProxy() {
    proxy = FaultProxy.start(registry.hostPort());
    sleeps = Collections.synchronizedList(new ArrayList<>());
    client = newClient(Duration.ofSeconds(10));
  }

  private RegistryClient newClient(Duration timeout) {
    return new RegistryClient(null, new RetryPolicy(4, Duration.ofMillis(100), Duration.ofSeconds(2)), true,
        timeout, sleeps::add, RegistryClient.DEFAULT_CHUNK_SIZE);
  }

  @AfterEach
  void stopProxy() {
    client.close();
    proxy.close();
  }

  private String blobPath() {
    return "/v2/fault/app/blobs/" + big.digest();
  }

  private byte[] readBlob() throws Exception {
    try (InputStream in = client.openBlob(proxy.hostPort(), "fault/app", Digest.parse(big.digest()), big.size())) {
      return in.readAllBytes();
    }
  }

  @Test
  void droppedDownloadResumesWithRangeFromWhereItStopped() throws Exception {
    FaultProxy.Rule drop = proxy.dropAfterBytes("GET", blobPath(), 300_000, 1);

    assertThat(readBlob()).isEqualTo(bigBytes);

    assertThat(drop.fired()).isEqualTo(1);
    List<FaultProxy.Request> gets = proxy.requests().stream().filter(r -> r.path().equals(blobPath())).toList();
    assertThat(gets).hasSize(2);
    assertThat(gets.get(0).range()).isNull();
    // Everything received before the drop was kept: the resume starts at or after the drop point
    // (what was buffered in flight may be less than was written, never more).
    long resumedAt = Long.parseLong(gets.get(1).range().replaceAll("bytes=(\\d+)-", "$1"));
    assertThat(resumedAt).isPositive().isLessThanOrEqualTo(300_000);
    assertThat(sleeps).hasSize(1);
  }

  @Test
  void resumeAnsweredWithTheWholeBlobSkipsWhatWasAlreadyRead() throws Exception {
    proxy.dropAfterBytes("GET", blobPath(), 500_000, 1);
    // The second request reaches the registry without its Range header, so it answers 200.
    proxy.ignoreRange("GET", blobPath(), 2);

    assertThat(readBlob()).isEqualTo(bigBytes);
    assertThat(proxy.count("GET", blobPath())).isEqualTo(2);
  }

  @Test
  void repeatedDropsWithoutProgressGiveUpWithATransientError() {
    proxy.dropAfterBytes("GET", blobPath(), 0, 100);

    assertThatThrownBy(this::readBlob)
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.isTransient()).isTrue())
        .hasMessageContaining("pull blob").hasMessageContaining(big.digest().toString());
    assertThat(proxy.count("GET", blobPath())).isLessThanOrEqualTo(8);
  }

  @Test
  void stalledDownloadIsAbandonedAfterTheTimeoutAndResumed() throws Exception {
    client.close();
    client = newClient(Duration.ofMillis(1500));
    FaultProxy.Rule stall = proxy.stallAfterBytes("GET", blobPath(), 200_000, Duration.ofSeconds(20), 1);

    assertThat(readBlob()).isEqualTo(bigBytes);

    assertThat(stall.fired()).isEqualTo(1);
    List<FaultProxy.Request> gets = proxy.requests().stream().filter(r -> r.path().equals(blobPath())).toList();
    assertThat(gets).hasSize(2);
    assertThat(gets.get(1).range()).matches("bytes=\\d+-");
  }

  @Test
  void proxyPassesManifestHeadersThroughUnchanged() {
    ManifestDescriptor direct = client.headManifest(registry.hostPort(), "fault/app", "v1", null).orElseThrow();

    assertThat(client.headManifest(proxy.hostPort(), "fault/app", "v1", null)).contains(direct);
    assertThat(proxy.count("GET", "/manifests/")).as("no GET fallback needed").isZero();
  }

  @Test
  void corruptedByteIsADigestMismatch() {
    proxy.flipByte("GET", blobPath(), 123_456, 1);

    assertThatThrownBy(this::readBlob)
        .isInstanceOfSatisfying(DigestMismatchException.class, e -> {
          assertThat(e.expected()).isEqualTo(Digest.parse(big.digest()));
          assertThat(e.actual()).isNotEqualTo(Digest.parse(big.digest()));
          assertThat(e.isTransient()).isFalse();
        })
        .hasMessageContaining(big.digest().toString()).hasMessageContaining("fault/app");
  }

  @Test
  void serverErrorsAreRetriedUntilSuccess() {
    proxy.respond("GET", "/v2/fault/app/manifests/v1", 500, 2);

    StoredManifest m = client.getManifest(proxy.hostPort(), "fault/app", "v1", null);

    assertThat(m.digest()).isEqualTo(Digest.parse(image.digest()));
    assertThat(proxy.count("GET", "/v2/fault/app/manifests/v1")).isEqualTo(3);
    assertThat(sleeps).hasSize(2);
    assertThat(sleeps.get(1)).isLessThanOrEqualTo(Duration.ofSeconds(2)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
  }

  @Test
  void aManifestWriteRacingAnIdenticalOneIsRetried() {
    // Distribution answers 400 DIGEST_INVALID to one of two clients writing the same manifest at once.
    byte[] manifest = client.getManifest(proxy.hostPort(), "fault/app", "v1", null).bytes();
    proxy.respond("PUT", "/v2/fault/app/manifests/raced", 400, 1).withErrorCode("DIGEST_INVALID");

    client.putManifest(proxy.hostPort(), "fault/app", "raced", manifest, "application/vnd.oci.image.manifest.v1+json");

    assertThat(proxy.count("PUT", "/v2/fault/app/manifests/raced")).isEqualTo(2);
    assertThat(client.getManifest(proxy.hostPort(), "fault/app", "raced", null).bytes()).isEqualTo(manifest);
  }

  @Test
  void otherClientErrorsOnAManifestWriteAreNotRetried() {
    byte[] manifest = client.getManifest(proxy.hostPort(), "fault/app", "v1", null).bytes();
    proxy.respond("PUT", "/v2/fault/app/manifests/rejected", 400, 5).withErrorCode("MANIFEST_INVALID");

    assertThatThrownBy(() -> client.putManifest(proxy.hostPort(), "fault/app", "rejected", manifest,
        "application/vnd.oci.image.manifest.v1+json"))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.isTransient()).isFalse());
    assertThat(proxy.count("PUT", "/v2/fault/app/manifests/rejected")).isEqualTo(1);
  }

  @Test
  void persistentServerErrorsGiveUpAfterMaxAttempts() {
    proxy.respond("GET", blobPath(), 503, 100);

    assertThatThrownBy(this::readBlob)
        .isInstanceOfSatisfying(RegistryException.class, e -> {
          assertThat(e.isTransient()).isTrue();
          assertThat(e.status()).isEqualTo(503);
          assertThat(e.errorCode()).isEqualTo("INJECTED");
        });
    assertThat(proxy.count("GET", blobPath())).isEqualTo(4);
  }

  @Test
  void tooManyRequestsWaitsForRetryAfter() throws Exception {
    proxy.tooManyRequests("GET", blobPath(), 7, 1);

    assertThat(readBlob()).isEqualTo(bigBytes);

    assertThat(sleeps).containsExactly(Duration.ofSeconds(7));
    assertThat(proxy.count("GET", blobPath())).isEqualTo(2);
  }

  @Test
  void notFoundIsPermanentAndNotRetried() {
    proxy.respond("GET", blobPath(), 404, 100);

    assertThatThrownBy(this::readBlob)
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.isTransient()).isFalse());
    assertThat(proxy.count("GET", blobPath())).isEqualTo(1);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void slowResponseTimesOutAndIsRetried() {
    client.close();
    client = newClient(Duration.ofMillis(1000));
    proxy.delay("GET", "/v2/fault/app/manifests/v1", Duration.ofSeconds(4), 1);

    assertThat(client.getManifest(proxy.hostPort(), "fault/app", "v1", null).digest()).isEqualTo(Digest.parse(image.digest()));
    assertThat(proxy.count("GET", "/v2/fault/app/manifests/v1")).isEqualTo(2);
  }

  @Test
  void failedUploadIsRestartedAndCompletes() throws Exception {
    byte[] blob = "a blob whose upload fails once".getBytes();
    Digest d = Digest.sha256Of(blob);
    proxy.respond("PUT", "/v2/fault/app/blobs/uploads/", 500, 1);

    client.pushBlob(proxy.hostPort(), "fault/app", d, blob);

    assertThat(proxy.count("POST", "/v2/fault/app/blobs/uploads/")).isEqualTo(2);
    assertThat(client.blobExists(registry.hostPort(), "fault/app", d)).isTrue();
  }

  @Test
  void relativeUploadLocationsAreResolvedAgainstTheRegistry() {
    byte[] blob = "uploaded through relative Locations".getBytes();
    Digest d = Digest.sha256Of(blob);
    proxy.relativeLocations(true);

    client.pushBlob(proxy.hostPort(), "fault/app", d, blob);

    assertThat(proxy.count("PUT", "^/v2/fault/app/blobs/uploads/[^?]+\\?.*digest=sha256")).isEqualTo(1);
    assertThat(client.blobExists(registry.hostPort(), "fault/app", d)).isTrue();
  }

  @Test
  void redirectToStorageIsFollowedWithoutRegistryCredentials() throws Exception {
    List<String> storageAuth = Collections.synchronizedList(new ArrayList<>());
    HttpServer storage = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    storage.createContext("/", ex -> {
      storageAuth.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
      ex.sendResponseHeaders(200, bigBytes.length);
      ex.getResponseBody().write(bigBytes);
      ex.close();
    });
    storage.start();
    try (RegistryServer secured = RegistryServer.basicAuth("alice", "s3cret-pass").start();
        FaultProxy front = FaultProxy.start(secured.hostPort());
        RegistryClient authed = new RegistryClient(registryName -> new Credentials("alice", "s3cret-pass"),
            RetryPolicy.defaults(), true, Duration.ofSeconds(10))) {
      front.redirect("GET", "/blobs/", "http://127.0.0.1:" + storage.getAddress().getPort() + "/storage", 1);
      // Learn the registry's challenge first, so the blob request carries credentials.
      assertThat(authed.blobExists(front.hostPort(), "x/app", Digest.parse(big.digest()))).isFalse();

      try (InputStream in = authed.openBlob(front.hostPort(), "x/app", Digest.parse(big.digest()), big.size())) {
        assertThat(in.readAllBytes()).isEqualTo(bigBytes);
      }

      assertThat(front.requests().stream().filter(r -> r.method().equals("GET")).toList())
          .singleElement().extracting(FaultProxy.Request::authScheme).isEqualTo("Basic");
      assertThat(storageAuth).containsExactly("null");
    } finally {
      storage.stop(0);
    }
  }
}
