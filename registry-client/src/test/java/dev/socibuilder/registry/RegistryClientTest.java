package dev.socibuilder.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.oci.MediaTypes;
import dev.socibuilder.oci.StoredManifest;
import dev.socibuilder.testing.registry.FaultProxy;
import dev.socibuilder.testing.registry.RegistryServer;
import dev.socibuilder.testing.registry.Skopeo;
import dev.socibuilder.testing.registry.TestImages;
import dev.socibuilder.testing.registry.TestImages.LayerSpec;
import dev.socibuilder.testing.registry.TestImages.Platform;
import dev.socibuilder.testing.registry.TestImages.TestImage;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against a real Distribution 2.8, images pushed there by skopeo. */
class RegistryClientTest {
  @TempDir
  static Path tmp;

  static RegistryServer registry;
  static RegistryClient client;
  static TestImage single;
  static TestImage multi;

  @BeforeAll
  static void pushImages() {
    registry = RegistryServer.anonymous().start();
    client = new RegistryClient(null, RetryPolicy.defaults(), true, Duration.ofSeconds(10));
    single = TestImages.singlePlatform(tmp.resolve("single"), "v1",
        LayerSpec.incompressible(2 << 20, 1), LayerSpec.compressible(1024, 2));
    Map<Platform, List<LayerSpec>> platforms = new LinkedHashMap<>();
    platforms.put(Platform.linux("amd64"), List.of(LayerSpec.compressible(64 << 10, 3)));
    platforms.put(new Platform("linux", "arm64", "v8"), List.of(LayerSpec.compressible(64 << 10, 4).asZstd()));
    multi = TestImages.multiPlatform(tmp.resolve("multi"), "v1", platforms);
    String r = "docker://" + registry.hostPort();
    Skopeo.copy(single.ociReference(), r + "/oci/app:v1");
    Skopeo.copy(single.ociReference(), r + "/docker/app:v1", "--format", "v2s2");
    Skopeo.copy(multi.ociReference(), r + "/multi/app:v1", "--all");
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  private String host() {
    return registry.hostPort();
  }

  @Test
  void getsOciManifestByTagAndDigestExactlyAsPushed() throws Exception {
    byte[] pushed = Files.readAllBytes(single.blob(single.digest()));

    StoredManifest byTag = client.getManifest(host(), "oci/app", "v1", null);
    StoredManifest byDigest = client.getManifest(host(), "oci/app", single.digest().toString(), null);

    assertThat(byTag.bytes()).isEqualTo(pushed);
    assertThat(byTag.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    assertThat(byTag.digest()).isEqualTo(Digest.parse(single.digest()));
    assertThat(byDigest.bytes()).isEqualTo(pushed);
  }

  @Test
  void getsDockerSchema2ManifestWithItsMediaType() {
    StoredManifest m = client.getManifest(host(), "docker/app", "v1", null);

    assertThat(m.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
    assertThat(new String(m.bytes(), StandardCharsets.UTF_8)).contains("application/vnd.docker.image.rootfs.diff.tar.gzip");
    assertThat(client.getManifest(host(), "docker/app", m.digest().toString(), null).bytes()).isEqualTo(m.bytes());
  }

  @Test
  void getsImageIndexAndItsPlatformManifests() {
    StoredManifest index = client.getManifest(host(), "multi/app", "v1", null);

    assertThat(index.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
    assertThat(index.digest()).isEqualTo(Digest.parse(multi.digest()));
    for (TestImages.ImageManifest m : multi.manifests()) {
      assertThat(client.getManifest(host(), "multi/app", m.digest().toString(), null).digest()).isEqualTo(Digest.parse(m.digest()));
    }
  }

  @Test
  void missingManifestIsNullAndHeadIsEmpty() {
    assertThat(client.getManifest(host(), "oci/app", "no-such-tag", null)).isNull();
    assertThat(client.headManifest(host(), "oci/app", "no-such-tag", null)).isEmpty();
    assertThat(client.getManifest(host(), "no/such-repo", "v1", null)).isNull();
  }

  @Test
  void headManifestGivesDigestSizeAndType() {
    ManifestDescriptor d = client.headManifest(host(), "multi/app", "v1", null).orElseThrow();

    assertThat(d).isEqualTo(new ManifestDescriptor(MediaTypes.OCI_INDEX, Digest.parse(multi.digest()), multi.size()));
  }

  @Test
  void streamsEveryBlobAndItsBytesMatchTheLayout() throws Exception {
    TestImages.ImageManifest m = single.manifests().get(0);
    for (TestImages.Layer layer : m.layers()) {
      try (InputStream in = client.openBlob(host(), "oci/app", Digest.parse(layer.digest()), layer.size())) {
        assertThat(in.readAllBytes()).isEqualTo(Files.readAllBytes(single.blob(layer.digest())));
      }
    }
    try (InputStream in = client.openBlob(host(), "oci/app", Digest.parse(m.configDigest()), -1)) {
      assertThat(in.readAllBytes()).isEqualTo(Files.readAllBytes(single.blob(m.configDigest())));
    }
  }

  @Test
  void zstdLayerStreamsLikeAnyOtherBlob() throws Exception {
    TestImages.Layer zstd = multi.manifests().get(1).layers().get(0);
    assertThat(zstd.mediaType()).isEqualTo(TestImages.LAYER_ZSTD);
    try (InputStream in = client.openBlob(host(), "multi/app", Digest.parse(zstd.digest()), zstd.size())) {
      byte[] bytes = in.readAllBytes();
      assertThat(bytes).startsWith(0x28, 0xb5, 0x2f, 0xfd); // zstd frame magic
    }
  }

  @Test
  void blobExistsOnlyForPushedBlobs() {
    TestImages.Layer layer = single.manifests().get(0).layers().get(0);
    assertThat(client.blobExists(host(), "oci/app", Digest.parse(layer.digest()))).isTrue();
    assertThat(client.blobExists(host(), "oci/app", Digest.sha256Of(new byte[] {1, 2, 3}))).isFalse();
  }

  @Test
  void missingBlobIsAPermanentErrorNamingRepositoryAndDigest() {
    Digest missing = Digest.sha256Of("missing".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> client.openBlob(host(), "oci/app", missing, 7))
        .isInstanceOfSatisfying(RegistryException.class, e -> {
          assertThat(e.isTransient()).isFalse();
          assertThat(e.status()).isEqualTo(404);
          assertThat(e.errorCode()).isEqualTo("BLOB_UNKNOWN");
        })
        .hasMessageContaining("oci/app").hasMessageContaining(missing.toString()).hasMessageContaining("pull blob");
  }

  @Test
  void pushedBlobsManifestAndTagFormAnImageSkopeoCanPull() throws Exception {
    TestImages.ImageManifest m = single.manifests().get(0);
    for (TestImages.Layer layer : m.layers()) {
      client.pushBlob(host(), "pushed/app", Digest.parse(layer.digest()), Files.readAllBytes(single.blob(layer.digest())));
    }
    client.pushBlob(host(), "pushed/app", Digest.parse(m.configDigest()), Files.readAllBytes(single.blob(m.configDigest())));
    byte[] manifest = Files.readAllBytes(single.blob(m.digest()));

    Digest byDigest = client.putManifest(host(), "pushed/app", m.digest().toString(), manifest, MediaTypes.OCI_MANIFEST);
    Digest byTag = client.putManifest(host(), "pushed/app", "v2", manifest, MediaTypes.OCI_MANIFEST);

    assertThat(byDigest).isEqualTo(Digest.parse(m.digest()));
    assertThat(byTag).isEqualTo(Digest.parse(m.digest()));
    assertThat(client.getManifest(host(), "pushed/app", "v2", null).bytes()).isEqualTo(manifest);
    Skopeo.copy("docker://" + host() + "/pushed/app:v2", "oci:" + tmp.resolve("pulled") + ":v2");
    assertThat(tmp.resolve("pulled").resolve("blobs/sha256").resolve(Digest.parse(m.layers().get(0).digest()).hex()))
        .hasBinaryContent(Files.readAllBytes(single.blob(m.layers().get(0).digest())));
  }

  @Test
  void largeBlobsAreUploadedInChunks() throws Exception {
    byte[] blob = new byte[1 << 20];
    new Random(7).nextBytes(blob);
    Digest d = Digest.sha256Of(blob);
    try (FaultProxy proxy = FaultProxy.start(host());
        RegistryClient chunked = new RegistryClient(null, RetryPolicy.defaults(), true, Duration.ofSeconds(10),
            x -> { }, 300_000)) {
      chunked.pushBlob(proxy.hostPort(), "chunked/app", d, blob);

      assertThat(proxy.count("PATCH", "/v2/chunked/app/blobs/uploads/")).isEqualTo(4);
      assertThat(proxy.count("PUT", "/v2/chunked/app/blobs/uploads/.*digest=")).isEqualTo(1);
    }
    try (InputStream in = client.openBlob(host(), "chunked/app", d, blob.length)) {
      assertThat(in.readAllBytes()).isEqualTo(blob);
    }
  }

  @Test
  void pushingAnExistingBlobUploadsNothing() throws Exception {
    TestImages.Layer layer = single.manifests().get(0).layers().get(1);
    try (FaultProxy proxy = FaultProxy.start(host())) {
      client.pushBlob(proxy.hostPort(), "oci/app", Digest.parse(layer.digest()), Files.readAllBytes(single.blob(layer.digest())));

      assertThat(proxy.count("HEAD", "/blobs/" + layer.digest())).isEqualTo(1);
      assertThat(proxy.count("POST", "/blobs/uploads/")).isZero();
    }
  }

  @Test
  void blobOfAnotherRepositoryIsMountedWithoutSendingItsBytes() throws Exception {
    byte[] blob = randomBlob(50_000, 21);
    Digest d = Digest.sha256Of(blob);
    client.pushBlob(host(), "mount/source", d, blob);
    try (FaultProxy proxy = FaultProxy.start(host())) {
      boolean mounted = client.mountOrPushBlob(proxy.hostPort(), "mount/target", d, blob, "mount/source");

      assertThat(mounted).isTrue();
      String mount = "/v2/mount/target/blobs/uploads/\\?mount=sha256%3A" + d.hex() + "&from=mount%2Fsource";
      assertThat(proxy.count("POST", mount)).isEqualTo(1);
      assertThat(proxy.count("PUT", "/blobs/uploads/")).isZero();
      assertThat(proxy.count("PATCH", "/blobs/uploads/")).isZero();
    }
    try (InputStream in = client.openBlob(host(), "mount/target", d, blob.length)) {
      assertThat(in.readAllBytes()).isEqualTo(blob);
    }
  }

  @Test
  void declinedMountContinuesWithTheUploadSessionTheRegistryOpened() throws Exception {
    byte[] blob = randomBlob(50_000, 22);
    Digest d = Digest.sha256Of(blob);
    client.pushBlob(host(), "declined/source", d, blob);
    try (FaultProxy proxy = FaultProxy.start(host())) {
      // The registry sees a plain upload start and answers 202 with a session, as one without mounts does.
      FaultProxy.Rule declined = proxy.dropQuery("POST", "mount=", 1);

      boolean mounted = client.mountOrPushBlob(proxy.hostPort(), "declined/target", d, blob, "declined/source");

      assertThat(mounted).isFalse();
      assertThat(declined.fired()).isEqualTo(1);
      assertThat(proxy.count("POST", "/blobs/uploads/")).as("no second upload session").isEqualTo(1);
      assertThat(proxy.count("PUT", "/v2/declined/target/blobs/uploads/.*digest=")).isEqualTo(1);
    }
    try (InputStream in = client.openBlob(host(), "declined/target", d, blob.length)) {
      assertThat(in.readAllBytes()).isEqualTo(blob);
    }
  }

  @Test
  void mountFromARepositoryWithoutTheBlobBecomesAnUpload() throws Exception {
    byte[] blob = randomBlob(50_000, 23);
    Digest d = Digest.sha256Of(blob);

    boolean mounted = client.mountOrPushBlob(host(), "stale/target", d, blob, "stale/never-had-it");

    assertThat(mounted).isFalse();
    try (InputStream in = client.openBlob(host(), "stale/target", d, blob.length)) {
      assertThat(in.readAllBytes()).isEqualTo(blob);
    }
  }

  @Test
  void mountRefusedOutrightFallsBackToAnOrdinaryUpload() throws Exception {
    byte[] blob = randomBlob(50_000, 24);
    Digest d = Digest.sha256Of(blob);
    client.pushBlob(host(), "refused/source", d, blob);
    try (FaultProxy proxy = FaultProxy.start(host())) {
      FaultProxy.Rule denied = proxy.respond("POST", "mount=", 403, 1).withErrorCode("DENIED");

      boolean mounted = client.mountOrPushBlob(proxy.hostPort(), "refused/target", d, blob, "refused/source");

      assertThat(mounted).isFalse();
      assertThat(denied.fired()).isEqualTo(1);
      assertThat(proxy.count("POST", "/v2/refused/target/blobs/uploads/$")).isEqualTo(1);
    }
    assertThat(client.blobExists(host(), "refused/target", d)).isTrue();
  }

  @Test
  void mountOfContentThatIsNotTheDigestIsRefusedBeforeAnyRequest() {
    assertThatThrownBy(() -> client.mountOrPushBlob(host(), "oci/app", Digest.sha256Of(new byte[1]), new byte[2],
        "other/app")).isInstanceOf(IllegalArgumentException.class);
  }

  private static byte[] randomBlob(int size, long seed) {
    byte[] blob = new byte[size];
    new Random(seed).nextBytes(blob);
    return blob;
  }

  @Test
  void blobWhoseBytesDoNotMatchItsDigestIsRefusedBeforeUpload() {
    assertThatThrownBy(() -> client.pushBlob(host(), "oci/app", Digest.sha256Of(new byte[1]), new byte[2]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> client.putManifest(host(), "oci/app", Digest.sha256Of(new byte[1]).toString(),
        "{}".getBytes(StandardCharsets.UTF_8), MediaTypes.OCI_MANIFEST))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void manifestRejectedByTheRegistryIsAPermanentErrorWithItsCode() {
    byte[] bad = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
        + TestImages.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256Of(new byte[] {9}) + "\",\"size\":1},\"layers\":[]}")
        .getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> client.putManifest(host(), "oci/app", "bad", bad, MediaTypes.OCI_MANIFEST))
        .isInstanceOfSatisfying(RegistryException.class, e -> {
          assertThat(e.isTransient()).isFalse();
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.errorCode()).isEqualTo("MANIFEST_BLOB_UNKNOWN");
        })
        .hasMessageContaining("push manifest").hasMessageContaining("oci/app:bad");
  }

  @Test
  void referrersApiIsUnsupportedOnDistribution28() {
    assertThat(client.referrers(host(), "oci/app", Digest.parse(single.digest()), "application/vnd.amazon.soci.index.v1+json")).isEmpty();
      }
}
