package dev.socibuilder.indexer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.indexer.store.ImageStore;
import dev.socibuilder.indexer.store.LayoutImageStore;
import dev.socibuilder.indexer.store.OciLayout;
import dev.socibuilder.indexer.store.RegistryImageStore;
import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.oci.MediaTypes;
import dev.socibuilder.oci.StoredManifest;
import dev.socibuilder.registry.Deadline;
import dev.socibuilder.registry.DeadlineExceededException;
import dev.socibuilder.registry.RegistryClient;
import dev.socibuilder.registry.RetryPolicy;
import dev.socibuilder.soci.ReferrersTagIndex;
import dev.socibuilder.soci.SociIndex;
import dev.socibuilder.testing.registry.FaultProxy;
import dev.socibuilder.testing.registry.RegistryServer;
import dev.socibuilder.testing.registry.Skopeo;
import dev.socibuilder.testing.registry.TestImages;
import dev.socibuilder.testing.registry.TestImages.LayerSpec;
import dev.socibuilder.testing.registry.TestImages.TestImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service under a run deadline and against hostile referrers lists. Time is a fake nanosecond clock
 * the test moves at chosen points of the run (the deadline and the registry client share it), so the
 * deadline passes exactly where the test wants it to, without waiting.
 */
@Timeout(120)
class IndexingServiceHostileTest {
  static final long MIB = 1 << 20;

  @TempDir
  static Path tmp;

  static RegistryServer registry;
  static TestImage image;
  static final AtomicInteger REPOS = new AtomicInteger();

  final AtomicLong now = new AtomicLong(1_000_000_000_000L);

  @BeforeAll
  static void setUp() {
    registry = RegistryServer.anonymous().start();
    image = TestImages.singlePlatform(tmp.resolve("image"), "v1", LayerSpec.incompressible(2 * MIB, 21),
        LayerSpec.compressible(1024, 22));
  }

  @AfterAll
  static void tearDown() {
    if (registry != null) {
      registry.close();
    }
  }

  static IndexOptions options() {
    return IndexOptions.defaults("hostile test").withMinLayerSize(MIB).withSpanSize(MIB).withParallelism(1);
  }

  static String pushImage() {
    String repo = "hostile/app-" + REPOS.incrementAndGet();
    Skopeo.copy(image.ociReference(), "docker://" + registry.hostPort() + "/" + repo + ":v1");
    return repo;
  }

  RegistryClient client(Deadline deadline) {
    return RegistryClient.builder().plainHttp(true).deadline(deadline)
        .retry(new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(50))).timeout(Duration.ofSeconds(10))
        .build();
  }

  /** Moves the fake clock past the deadline. */
  void expire(Deadline d) {
    now.addAndGet(d.remaining().toNanos() + 1);
  }

  // ------------------------------------------------------------------ deadline

  @Test
  void aDeadlinePassingWhileLayersAreBuiltStopsTheRunBeforeAnythingIsPublished() {
    String repo = pushImage();
    Deadline deadline = Deadline.after(Duration.ofMinutes(15), now::get);
    IndexListener passesTheDeadline = new IndexListener() {
      @Override
      public void layerDone(Descriptor layer, IndexReport.ZtocReport ztoc) {
        expire(deadline);
      }
    };

    try (FaultProxy proxy = FaultProxy.start(registry.hostPort()); RegistryClient c = client(deadline)) {
      assertThatThrownBy(() -> new IndexingService(options(), passesTheDeadline, deadline)
          .index(new RegistryImageStore(c, proxy.hostPort(), repo), "v1", null))
          .isInstanceOfSatisfying(DeadlineExceededException.class, e -> assertThat(e.isTransient()).isTrue())
          .hasMessage("index " + proxy.hostPort() + "/" + repo + ":v1 (before publishing; nothing was published): "
              + "stopped, the deadline (15m) passed");

      IndexingServiceTest.assertNoWrites(proxy);
    }
  }

  @Test
  void aDeadlinePassingWhilePublishingLeavesNoTag() {
    String repo = pushImage();
    Deadline deadline = Deadline.after(Duration.ofMinutes(15), now::get);
    try (RegistryClient c = client(deadline)) {
      ImageStore store = new DelegatingStore(new RegistryImageStore(c, registry.hostPort(), repo)) {
        @Override
        public void pushManifest(byte[] bytes, String mediaType) {
          super.pushManifest(bytes, mediaType);
          expire(deadline); // right after the SOCI index manifest: the next request is past the deadline
        }
      };

      assertThatThrownBy(() -> new IndexingService(options(), null, deadline).index(store, "v1", null))
          .isInstanceOf(DeadlineExceededException.class)
          .hasMessageContaining("push manifest " + registry.hostPort() + "/" + repo)
          .hasMessageContaining("stopped, the deadline (15m) passed");
    }
    try (RegistryClient reader = client(Deadline.none())) {
      assertThat(reader.getManifest(registry.hostPort(), repo, "v1-soci", null)).as("no tag").isNull();
    }
  }

  @Test
  void aDeadlinePassingBeforeTheTagLeavesALayoutUntagged() throws IOException {
    Path dir = tmp.resolve("layout-" + REPOS.incrementAndGet());
    IndexingServiceTest.copyTree(image.layout(), dir);
    Deadline deadline = Deadline.after(Duration.ofMinutes(5), now::get);
    AtomicInteger manifests = new AtomicInteger();
    ImageStore store = new DelegatingStore(new LayoutImageStore(OciLayout.open(dir))) {
      @Override
      public void pushManifest(byte[] bytes, String mediaType) {
        super.pushManifest(bytes, mediaType);
        if (manifests.incrementAndGet() == 2) {
          expire(deadline); // after the rewritten image manifest, before the tag
        }
      }
    };

    assertThatThrownBy(() -> new IndexingService(options(), null, deadline).index(store, "v1", null))
        .isInstanceOf(DeadlineExceededException.class)
        .hasMessage("index oci:" + dir + ":v1 (before tagging v1-soci; the tag was not pushed): stopped, the deadline"
            + " (5m) passed");
    assertThat(OciLayout.open(dir).tags()).containsExactly("v1");
  }

  // ------------------------------------------------------------------ referrers

  /** An OCI index of {@code n} SOCI v1 entries naming manifests that do not exist. */
  static byte[] referrersIndex(int n) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[")
        .getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < n; i++) {
      out.writeBytes(((i > 0 ? "," : "") + "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"sha256:"
          + String.format("%064x", i) + "\",\"size\":1234,\"artifactType\":\"" + MediaTypes.SOCI_INDEX_V1 + "\"}")
          .getBytes(StandardCharsets.UTF_8));
    }
    out.writeBytes("]}".getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  /** A repository whose referrers tag for the image answers {@code tagIndex}; counts manifest GETs by digest. */
  static final class HostileReferrersStore extends DelegatingStore {
    final String referrersTag = ReferrersTagIndex.tagFor(Digest.parse(image.digest()));
    final byte[] tagIndex;
    final AtomicInteger manifestsByDigest = new AtomicInteger();

    HostileReferrersStore(ImageStore delegate, byte[] tagIndex) {
      super(delegate);
      this.tagIndex = tagIndex;
    }

    @Override
    public Optional<StoredManifest> manifest(String reference) {
      if (reference.equals(referrersTag)) {
        return Optional.of(new StoredManifest(tagIndex, MediaTypes.OCI_INDEX, Digest.sha256Of(tagIndex)));
      }
      if (reference.startsWith("sha256:") && !reference.equals(image.digest().toString())) {
        manifestsByDigest.incrementAndGet();
      }
      return super.manifest(reference);
    }
  }

  IndexReport indexV1(HostileReferrersStore store) {
    return new IndexingService(options().withVersion(SociIndex.Version.V1), null).index(store, "v1", null);
  }

  @Test
  void aReferrersTagOfManyMissingSociIndexesCostsABoundedNumberOfRequestsAndFailsClearly() {
    String repo = pushImage();
    try (RegistryClient c = client(Deadline.none())) {
      HostileReferrersStore store = new HostileReferrersStore(
          new RegistryImageStore(c, registry.hostPort(), repo), referrersIndex(500));

      assertThatThrownBy(() -> indexV1(store))
          .isInstanceOf(IndexingException.class)
          .hasMessageContaining("the referrers tag " + store.referrersTag + " lists 500 SOCI index entries and the "
              + "newest " + ExistingIndex.MAX_REFERRER_MANIFESTS + " do not exist");
      assertThat(store.manifestsByDigest.get()).isEqualTo(ExistingIndex.MAX_REFERRER_MANIFESTS);
    }
  }

  @Test
  void aReferrersTagWithTooManyEntriesIsNotWalked() {
    String repo = pushImage();
    try (RegistryClient c = client(Deadline.none())) {
      HostileReferrersStore store = new HostileReferrersStore(
          new RegistryImageStore(c, registry.hostPort(), repo), referrersIndex(12_000));

      assertThatThrownBy(() -> indexV1(store))
          .isInstanceOf(IndexingException.class)
          .hasMessageContaining("lists 12000 entries, more than the " + ExistingIndex.MAX_REFERRER_ENTRIES + " read");
      assertThat(store.manifestsByDigest.get()).isZero();
    }
  }

  @Test
  void aHugeReferrersTagIsNotEvenParsed() {
    String repo = pushImage();
    try (RegistryClient c = client(Deadline.none())) {
      HostileReferrersStore store = new HostileReferrersStore(
          new RegistryImageStore(c, registry.hostPort(), repo), referrersIndex(150_000));

      assertThatThrownBy(() -> indexV1(store))
          .isInstanceOf(IndexingException.class)
          .hasMessageContaining("more than the " + ExistingIndex.MAX_REFERRERS_TAG_BYTES + " read");
      assertThat(store.manifestsByDigest.get()).isZero();
    }
  }

  /** An {@link ImageStore} that forwards everything; tests override what they intercept. */
  static class DelegatingStore implements ImageStore {
    private final ImageStore delegate;

    DelegatingStore(ImageStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public String name() {
      return delegate.name();
    }

    @Override
    public Optional<StoredManifest> manifest(String reference) {
      return delegate.manifest(reference);
    }

    @Override
    public InputStream openBlob(Descriptor blob) throws IOException {
      return delegate.openBlob(blob);
    }

    @Override
    public byte[] readBlob(Descriptor blob) throws IOException {
      return delegate.readBlob(blob);
    }

    @Override
    public boolean hasBlob(Digest digest) {
      return delegate.hasBlob(digest);
    }

    @Override
    public void pushBlob(Digest digest, byte[] content) {
      delegate.pushBlob(digest, content);
    }

    @Override
    public void pushManifest(byte[] bytes, String mediaType) {
      delegate.pushManifest(bytes, mediaType);
    }

    @Override
    public void tag(String tag, byte[] bytes, String mediaType) {
      delegate.tag(tag, bytes, mediaType);
    }

    @Override
    public Optional<List<Descriptor>> referrers(Digest subject, String artifactType) {
      return delegate.referrers(subject, artifactType);
    }

    @Override
    public Optional<Digest> digestOf(String tag) {
      return delegate.digestOf(tag);
    }

    @Override
    public String tagProblem(String tag) {
      return delegate.tagProblem(tag);
    }
  }
}
