package dev.socibuilder.indexer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.indexer.IndexReport.Outcome;
import dev.socibuilder.indexer.store.LayoutImageStore;
import dev.socibuilder.indexer.store.OciLayout;
import dev.socibuilder.indexer.store.RegistryImageStore;
import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.oci.ImageIndex;
import dev.socibuilder.oci.ImageManifest;
import dev.socibuilder.oci.MediaTypes;
import dev.socibuilder.oci.Platform;
import dev.socibuilder.oci.StoredManifest;
import dev.socibuilder.registry.Credentials;
import dev.socibuilder.registry.CredentialsProvider;
import dev.socibuilder.registry.DigestMismatchException;
import dev.socibuilder.registry.RegistryClient;
import dev.socibuilder.registry.RegistryException;
import dev.socibuilder.registry.RetryPolicy;
import dev.socibuilder.soci.Optimization;
import dev.socibuilder.soci.ReferrersTagIndex;
import dev.socibuilder.soci.SociIndex;
import dev.socibuilder.testing.registry.FaultProxy;
import dev.socibuilder.testing.registry.RegistryServer;
import dev.socibuilder.testing.registry.Skopeo;
import dev.socibuilder.testing.registry.TestImages;
import dev.socibuilder.testing.registry.TestImages.LayerSpec;
import dev.socibuilder.testing.registry.TestImages.TestImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The indexing service against a real registry (Distribution 2.8, which has no referrers API): images
 * are written as OCI layouts with real gzip layers and pushed with {@code skopeo copy}, as a user
 * would; every pushed artifact is read back from the registry and every zTOC is checked by
 * extracting the layer's files through it.
 */
class IndexingServiceTest {
  static final long MIB = 1 << 20;
  static final long SPAN = MIB;
  static final String TOOL = "soci-index-builder test";

  @TempDir
  static Path tmp;

  static RegistryServer registry;
  static RegistryClient client;
  /** 6 MiB incompressible gzip layer (4 files of 1.5 MiB, each crossing span boundaries) + a ~1 KiB one. */
  static TestImage plain;
  /** amd64: the layers of {@link #plain}; arm64: one 2 MiB layer of its own. */
  static TestImage multi;
  /** A 6 MiB zstd layer and a 2 MiB gzip layer. */
  static TestImage withZstd;
  /** Two tiny layers only. */
  static TestImage smallOnly;

  @BeforeAll
  static void setUp() {
    registry = RegistryServer.anonymous().start();
    client = newClient(null);
    LayerSpec big = LayerSpec.incompressible(6 * MIB, 1);
    LayerSpec small = LayerSpec.compressible(1024, 2);
    LayerSpec other = LayerSpec.incompressible(2 * MIB, 4);
    plain = TestImages.singlePlatform(tmp.resolve("plain"), "v1", big, small);
    Map<TestImages.Platform, List<LayerSpec>> platforms = new LinkedHashMap<>();
    platforms.put(TestImages.Platform.linux("amd64"), List.of(big, small));
    platforms.put(new TestImages.Platform("linux", "arm64", "v8"), List.of(other));
    multi = TestImages.multiPlatform(tmp.resolve("multi"), "v1", platforms);
    withZstd = TestImages.singlePlatform(tmp.resolve("zstd"), "v1", big.asZstd(), other);
    smallOnly = TestImages.singlePlatform(tmp.resolve("small"), "v1", small, LayerSpec.compressible(2048, 6));
  }

  @AfterAll
  static void tearDown() {
    if (client != null) {
      client.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  static RegistryClient newClient(RegistryServer secured) {
    return new RegistryClient(secured == null ? null : credentials(secured),
        new RetryPolicy(4, Duration.ofMillis(20), Duration.ofMillis(200)), true, Duration.ofSeconds(10));
  }

  static IndexOptions options() {
    return IndexOptions.defaults(TOOL).withMinLayerSize(MIB).withSpanSize(SPAN).withParallelism(2);
  }

  // ------------------------------------------------------------------ v2

  @Test
  void v2IndexesASinglePlatformImageIntoASociEnabledImageUnderTheSociTag() {
    String repo = push(plain, "v2/single");
    AtomicLong planned = new AtomicLong();
    AtomicLong read = new AtomicLong();
    List<String> done = Collections.synchronizedList(new ArrayList<>());
    IndexListener listener = new IndexListener() {
      @Override
      public void layersPlanned(int count, long totalBytes) {
        planned.addAndGet(totalBytes);
      }

      @Override
      public void bytesRead(Descriptor layer, long n) {
        read.addAndGet(n);
      }

      @Override
      public void layerDone(Descriptor layer, IndexReport.ZtocReport ztoc) {
        done.add(layer.digest());
      }
    };

    IndexReport report = new IndexingService(options(), listener).index(store(registry, repo), "v1", null);

    assertThat(report.outcome()).isEqualTo(Outcome.INDEXED);
    assertThat(report.tag()).isEqualTo("v1-soci");
    assertThat(report.version()).isEqualTo("v2");
    assertThat(report.ztocCount()).isEqualTo(1);
    IndexReport.PlatformReport p = report.platforms().get(0);
    assertThat(p.manifestDigest()).isEqualTo(plain.digest().toString());
    assertThat(p.skipped()).singleElement().satisfies(s -> {
      assertThat(s.layerDigest()).isEqualTo(plain.manifests().get(0).layers().get(1).digest().toString());
      assertThat(s.reason()).isNotBlank();
    });
    assertThat(report.toJson()).contains("\"outcome\":\"indexed\"").contains("\"tag\":\"v1-soci\"");
    long bigSize = plain.manifests().get(0).layers().get(0).size();
    assertThat(planned.get()).isEqualTo(bigSize);
    assertThat(read.get()).isEqualTo(bigSize);
    assertThat(done).containsExactly(plain.manifests().get(0).layers().get(0).digest().toString());
    // The source tag still names the original image.
    assertThat(manifest(registry, repo, "v1").digest()).isEqualTo(Digest.parse(plain.digest()));
    assertSociEnabledImage(registry, repo, "v1-soci", report, Set.of(plain.digest().toString()));
  }

  @Test
  void v2IndexesEveryPlatformOfAMultiPlatformImage() {
    String repo = push(multi, "v2/multi", "--all");

    IndexReport report = index(repo, "v1", options());

    assertThat(report.outcome()).isEqualTo(Outcome.INDEXED);
    assertThat(report.platforms()).extracting(IndexReport.PlatformReport::platform)
        .containsExactly(Platform.of("linux", "amd64"), Platform.of("linux", "arm64", "v8"));
    assertThat(report.ztocCount()).isEqualTo(2);
    Set<String> sources = Set.of(multi.manifests().get(0).digest().toString(),
        multi.manifests().get(1).digest().toString());
    ImageIndex idx = assertSociEnabledImage(registry, repo, "v1-soci", report, sources);
    // Platforms in the source order, SOCI indexes after the images.
    assertThat(idx.manifestList()).extracting(d -> d.platform().architecture())
        .containsExactly("amd64", "arm64", "amd64", "arm64");
  }

  @Test
  void dockerSchema2SourceKeepsDockerLayerTypesInAnOciRewrittenManifest() {
    String repo = push(plain, "v2/docker", "--format", "v2s2");
    StoredManifest source = manifest(registry, repo, "v1");
    assertThat(source.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);

    IndexReport report = index(repo, "v1", options());

    assertThat(report.outcome()).isEqualTo(Outcome.INDEXED);
    ImageIndex idx = assertSociEnabledImage(registry, repo, "v1-soci", report, Set.of(source.digest().toString()));
    ImageManifest rewritten = ImageManifest.parse(manifest(registry, repo, idx.manifestList().get(0).digest()).bytes());
    assertThat(rewritten.layers()).extracting(Descriptor::mediaType)
        .containsOnly(MediaTypes.DOCKER_LAYER_GZIP);
    ImageManifest soci = ImageManifest.parse(manifest(registry, repo,
        idx.manifestList().get(0).annotation(SociIndex.ANNOTATION_INDEX_DIGEST)).bytes());
    assertThat(soci.layers()).singleElement().extracting(d -> d.annotation(SociIndex.ANNOTATION_IMAGE_LAYER_MEDIA_TYPE))
        .isEqualTo(MediaTypes.DOCKER_LAYER_GZIP);
  }

  @Test
  void digestReferenceIsPushedByDigestOnlyWithoutASociTag() {
    String repo = push(plain, "v2/bydigest");

    IndexReport report = new IndexingService(options(), null).index(store(registry, repo), null, Digest.parse(plain.digest()));

    assertThat(report.outcome()).isEqualTo(Outcome.INDEXED);
    assertThat(report.tag()).isNull();
    assertThat(report.imageIndexDigest()).isNotNull();
    assertThat(find(registry, repo, "v1-soci")).isNull();
    StoredManifest pushed = manifest(registry, repo, report.imageIndexDigest());
    assertThat(pushed.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
    assertThat(ImageIndex.parse(pushed.bytes()).manifestList()).hasSize(2);
  }

  @Test
  void tagAndDigestOfAPushEventReadTheDigestAndTagTheSociImage() {
    String repo = push(plain, "v2/event");

    IndexReport report = new IndexingService(options(), null).index(store(registry, repo), "v1", Digest.parse(plain.digest()));

    assertThat(report.outcome()).isEqualTo(Outcome.INDEXED);
    assertThat(report.tag()).isEqualTo("v1-soci");
    assertThat(report.image()).contains(":v1@" + plain.digest());
    assertSociEnabledImage(registry, repo, "v1-soci", report, Set.of(plain.digest().toString()));
    assertThat(new IndexingService(options(), null).index(store(registry, repo), "v1", Digest.parse(plain.digest())).outcome())
        .isEqualTo(Outcome.ALREADY_INDEXED);
  }

  @Test
  void aPushEventWhoseTagMovedOnIsSupersededAndTagsNothing() {
    String repo = push(plain, "v2/event-moved");
    // The tag has moved on to another image since the push of plain (whose own event this is).
    Skopeo.copy(withZstd.ociReference(), "docker://" + registry.hostPort() + "/" + repo + ":v1");

    IndexReport report = new IndexingService(options(), null).index(store(registry, repo), "v1", Digest.parse(plain.digest()));

    assertThat(report.outcome()).isEqualTo(Outcome.SUPERSEDED);
    assertThat(report.outcome().jsonName()).isEqualTo("superseded");
    assertThat(report.tag()).isNull();
    assertThat(report.imageIndexDigest()).isNull();
    assertThat(report.message()).startsWith("superseded: tag v1 now points at " + withZstd.digest()
        + ", no longer at the indexed " + plain.digest() + ", so v1-soci was left as it was; ")
        .contains("content-addressed and harmless");
    assertThat(find(registry, repo, "v1-soci")).isNull();
    // What was pushed before the check is complete and content-addressed.
    assertThat(find(registry, repo, report.platforms().get(0).sociIndexDigest())).isNotNull();
  }

  @Test
  void aTagMovedWhileTheImageIsIndexedIsSupersededAndTheSociTagStaysAsItWas() {
    String repo = push(plain, "v2/moved-during");
    IndexReport first = index(repo, "v1", options());
    IndexListener movesTheTagWhilePushing = new IndexListener() {
      @Override
      public void step(String message) {
        if (message.startsWith("pushing")) {
          Skopeo.copy(withZstd.ociReference(), "docker://" + registry.hostPort() + "/" + repo + ":v1");
        }
      }
    };

    IndexReport second = new IndexingService(options().withForce(true), movesTheTagWhilePushing)
        .index(store(registry, repo), "v1", null);

    assertThat(second.outcome()).isEqualTo(Outcome.SUPERSEDED);
    assertThat(second.message()).startsWith("superseded: tag v1 now points at " + withZstd.digest());
    assertThat(manifest(registry, repo, "v1-soci").digest().toString()).isEqualTo(first.imageIndexDigest());
  }

  @Test
  void aResultTagLongerThan128CharactersFailsBeforeAnythingIsReadOrPushed() {
    String tag = "t".repeat(124);
    Skopeo.copy(plain.ociReference(), "docker://" + registry.hostPort() + "/v2/long-tag:" + tag);
    try (FaultProxy proxy = FaultProxy.start(registry.hostPort())) {
      assertThatThrownBy(() -> index(proxy.hostPort(), "v2/long-tag", tag, options()))
          .isInstanceOf(IndexingException.class)
          .hasMessageEndingWith(": the result cannot be tagged " + tag + "-soci: it is longer than 128 characters (129)");
      assertThat(proxy.requests()).as("nothing read, nothing pushed").isEmpty();
    }
    assertThat(index("v2/long-tag", tag, options().withVersion(SociIndex.Version.V1)).outcome())
        .as("v1 tags nothing with the suffix").isEqualTo(Outcome.INDEXED);
  }

  @Test
  void secondRunIsAlreadyIndexedAndPushesNothingUnlessForced() {
    String repo = push(plain, "v2/rerun");
    IndexReport first = index(repo, "v1", options());
    try (FaultProxy proxy = FaultProxy.start(registry.hostPort())) {
      IndexReport second = index(proxy.hostPort(), repo, "v1", options());

      assertThat(second.outcome()).isEqualTo(Outcome.ALREADY_INDEXED);
      assertThat(second.imageIndexDigest()).isEqualTo(first.imageIndexDigest());
      assertThat(second.tag()).isEqualTo("v1-soci");
      assertThat(second.platforms()).singleElement().extracting(IndexReport.PlatformReport::sociIndexDigest)
          .isEqualTo(first.platforms().get(0).sociIndexDigest());
      assertNoWrites(proxy);
      assertThat(proxy.count("GET", layerPath(repo, plain, 0))).as("no layer was read").isZero();

      proxy.reset();
      IndexReport forced = index(proxy.hostPort(), repo, "v1", options().withForce(true));

      assertThat(forced.outcome()).isEqualTo(Outcome.INDEXED);
      assertThat(forced.ztocCount()).isEqualTo(1);
      // The build is deterministic, so the rebuilt image index is the same content.
      assertThat(forced.imageIndexDigest()).isEqualTo(first.imageIndexDigest());
      assertThat(proxy.count("GET", "/v2/" + repo + "/blobs/" + plain.manifests().get(0).layers().get(0).digest()))
          .as("the layer was read again").isPositive();
      assertThat(proxy.count("PUT", "/v2/" + repo + "/manifests/v1-soci")).isEqualTo(1);
    }
  }

  @Test
  void theBuildersOwnOutputIsASociEnabledImageAndIsLeftAlone() {
    String repo = push(plain, "v2/own");
    index(repo, "v1", options());
    try (FaultProxy proxy = FaultProxy.start(registry.hostPort())) {
      IndexReport again = index(proxy.hostPort(), repo, "v1-soci", options());

      assertThat(again.outcome()).isEqualTo(Outcome.SOCI_ENABLED_IMAGE);
      assertNoWrites(proxy);
    }
    assertThat(find(registry, repo, "v1-soci-soci")).isNull();
  }

  @Test
  void aSociIndexItselfIsLeftAlone() {
    String repo = push(plain, "v2/sociartifact");
    IndexReport r = index(repo, "v1", options());
    String sociIndex = r.platforms().get(0).sociIndexDigest();

    IndexReport again = new IndexingService(options(), null).index(store(registry, repo), null, Digest.parse(sociIndex));

    assertThat(again.outcome()).isEqualTo(Outcome.SOCI_ENABLED_IMAGE);
  }

  @Test
  void imageWithOnlySmallLayersHasNothingToIndexAndPushesNothing() {
    String repo = push(smallOnly, "v2/small");
    try (FaultProxy proxy = FaultProxy.start(registry.hostPort())) {
      IndexReport report = index(proxy.hostPort(), repo, "v1", options());

      assertThat(report.outcome()).isEqualTo(Outcome.NOTHING_TO_INDEX);
      assertThat(report.tag()).isNull();
      assertThat(report.platforms()).singleElement().satisfies(p -> {
        assertThat(p.sociIndexDigest()).isNull();
        assertThat(p.skipped()).hasSize(2);
      });
      assertNoWrites(proxy);
    }
    assertThat(find(registry, repo, "v1-soci")).isNull();
  }

  @Test
  void zstdLayerIsSkippedAndTheGzipLayerIndexed() {
    String repo = push(withZstd, "v2/zstd");

    IndexReport report = index(repo, "v1", options());

    assertThat(report.outcome()).isEqualTo(Outcome.INDEXED);
    TestImages.Layer zstd = withZstd.manifests().get(0).layers().get(0);
    assertThat(zstd.size()).isGreaterThan(MIB);
    IndexReport.PlatformReport p = report.platforms().get(0);
    assertThat(p.skipped()).singleElement().satisfies(s -> {
      assertThat(s.layerDigest()).isEqualTo(zstd.digest().toString());
      assertThat(s.mediaType()).isEqualTo(MediaTypes.OCI_LAYER_ZSTD);
    });
    assertThat(p.ztocs()).singleElement().extracting(IndexReport.ZtocReport::layerDigest)
        .isEqualTo(withZstd.manifests().get(0).layers().get(1).digest().toString());
    assertSociEnabledImage(registry, repo, "v1-soci", report, Set.of(withZstd.digest().toString()));
  }

  @Test
  void dockerManifestListIsIndexedIntoAnOciImageIndex() {
    String repo = push(multi, "v2/dockerlist", "--all", "--format", "v2s2");
    StoredManifest source = manifest(registry, repo, "v1");
    assertThat(source.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST_LIST);
    Set<String> sources = new HashSet<>();
    ImageIndex.parse(source.bytes()).manifestList().forEach(d -> sources.add(d.digest()));

    IndexReport report = index(repo, "v1", options());

    assertThat(report.outcome()).isEqualTo(Outcome.INDEXED);
    assertSociEnabledImage(registry, repo, "v1-soci", report, sources);
  }

  @Test
  void platformSubsetIsIndexedAndTheOtherPlatformsEntryIsKeptAsItWas() {
    String repo = push(multi, "v2/subset", "--all");
    Platform arm = Platform.of("linux", "arm64", "v8");

    IndexReport report = index(repo, "v1", options().withPlatforms(List.of(arm)));

    assertThat(report.outcome()).isEqualTo(Outcome.INDEXED);
    assertThat(report.platforms()).singleElement().extracting(IndexReport.PlatformReport::platform).isEqualTo(arm);
    ImageIndex idx = ImageIndex.parse(manifest(registry, repo, "v1-soci").bytes());
    assertThat(idx.manifestList()).hasSize(3);
    // Only what is indexed is rewritten (a deliberate difference from soci, see SociConvert).
    assertThat(idx.manifestList().get(0))
        .isEqualTo(ImageIndex.parse(manifest(registry, repo, "v1").bytes()).manifestList().get(0));
    assertThat(idx.manifestList().get(2).platform()).isEqualTo(arm);
    assertThat(idx.manifestList().get(2).artifactType()).isEqualTo(MediaTypes.SOCI_INDEX_V2);
    assertThat(idx.manifestList().get(2).digest())
        .isEqualTo(idx.manifestList().get(1).annotation(SociIndex.ANNOTATION_INDEX_DIGEST));

    // linux/arm64 normalizes to linux/arm64/v8, as containerd's platforms.OnlyStrict does.
    assertThat(index(repo, "v1", options().withPlatforms(List.of(Platform.of("linux", "arm64")))).outcome())
        .isEqualTo(Outcome.ALREADY_INDEXED);
    IndexReport all = index(repo, "v1", options());
    assertThat(all.outcome()).as("amd64 is not covered yet").isEqualTo(Outcome.INDEXED);
    assertThat(all.platforms()).hasSize(2);
  }

  @Test
  void missingPlatformFailsWithNothingPushed() {
    String repo = push(multi, "v2/noplatform", "--all");
    try (FaultProxy proxy = FaultProxy.start(registry.hostPort())) {
      assertThatThrownBy(() -> index(proxy.hostPort(), repo, "v1",
          options().withPlatforms(List.of(Platform.of("linux", "s390x")))))
          .isInstanceOf(IndexingException.class).hasMessageContaining("s390x");
      assertNoWrites(proxy);
    }
  }

  @Test
  void unknownTagIsAnIndexingException() {
    assertThatThrownBy(() -> index("v2/nothing-here", "v1", options()))
        .isInstanceOf(IndexingException.class).hasMessageContaining("not found");
  }

  @Test
  void sourceTagMovedToAnotherImageIsIndexedAgain() {
    String repo = push(plain, "v2/moved");
    IndexReport first = index(repo, "v1", options());
    Skopeo.copy(withZstd.ociReference(), "docker://" + registry.hostPort() + "/" + repo + ":v1");

    IndexReport second = index(repo, "v1", options());

    assertThat(second.outcome()).isEqualTo(Outcome.INDEXED);
    assertThat(second.imageIndexDigest()).isNotEqualTo(first.imageIndexDigest());
    assertSociEnabledImage(registry, repo, "v1-soci", second, Set.of(withZstd.digest().toString()));
  }

  @Test
  void layoutIndexedOnDiskIsCopiedToTheRegistryAndStillChecksOut() throws IOException {
    Path dir = tmp.resolve("layout-out");
    copyTree(plain.layout(), dir);
    IndexReport report = new IndexingService(options(), null)
        .index(new LayoutImageStore(OciLayout.open(dir)), "v1", null);
    assertThat(report.outcome()).isEqualTo(Outcome.INDEXED);

    Skopeo.copy("oci:" + dir + ":v1-soci", "docker://" + registry.hostPort() + "/layout/out:v1-soci", "--all");

    // skopeo 1.9 re-serializes the image index with an image-spec that predates artifactType, so the
    // copy drops it from the descriptors; every manifest it lists is copied byte for byte.
    ImageIndex local = ImageIndex.parse(Files.readAllBytes(
        dir.resolve("blobs/sha256").resolve(Digest.parse(report.imageIndexDigest()).hex())));
    ImageIndex copied = ImageIndex.parse(manifest(registry, "layout/out", "v1-soci").bytes());
    assertThat(copied.manifestList()).extracting(d -> d.withArtifactType(""))
        .isEqualTo(local.manifestList().stream().map(d -> d.withArtifactType("")).toList());
    Descriptor sociDesc = local.manifestList().get(1);
    StoredManifest soci = manifest(registry, "layout/out", sociDesc.digest());
    assertThat(SociIndex.survivesSnapshotterRoundTrip(soci.bytes())).isTrue();
    StoredManifest rewritten = manifest(registry, "layout/out", local.manifestList().get(0).digest());
    assertThat(ImageManifest.parse(rewritten.bytes()).annotation(SociIndex.ANNOTATION_INDEX_DIGEST))
        .isEqualTo(sociDesc.digest());
    assertZtocs(registry, "layout/out", ImageManifest.parse(soci.bytes()), ImageManifest.parse(rewritten.bytes()));
    // And the registry copy is recognised as the builder's own output.
    assertThat(index("layout/out", "v1-soci", options()).outcome()).isEqualTo(Outcome.SOCI_ENABLED_IMAGE);
  }

  @Test
  void registryImageCopiedIntoALayoutIsIndexedThere() {
    String repo = push(multi, "layout/in", "--all");
    Path dir = tmp.resolve("layout-in");
    Skopeo.copy("docker://" + registry.hostPort() + "/" + repo + ":v1", "oci:" + dir + ":v1", "--all");

    IndexReport fromLayout = new IndexingService(options(), null)
        .index(new LayoutImageStore(OciLayout.open(dir)), "v1", null);
    IndexReport fromRegistry = index(repo, "v1", options());

    assertThat(fromLayout.outcome()).isEqualTo(Outcome.INDEXED);
    assertThat(fromLayout.imageIndexDigest()).as("same bytes either way").isEqualTo(fromRegistry.imageIndexDigest());
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  // ------------------------------------------------------------------ v1

  @Test
  void v1IsFoundThroughTheReferrersTagAndASecondRunIsAlreadyIndexed() {
    String repo = push(plain, "v1/single");
    IndexOptions v1 = options().withVersion(SociIndex.Version.V1);

    IndexReport report = index(repo, "v1", v1);

    assertThat(report.outcome()).isEqualTo(Outcome.INDEXED);
    assertThat(report.version()).isEqualTo("v1");
    assertThat(report.tag()).isNull();
    assertThat(find(registry, repo, "v1-soci")).isNull();
    String sociDigest = report.platforms().get(0).sociIndexDigest();
    StoredManifest referrers = manifest(registry, repo, ReferrersTagIndex.tagFor(Digest.parse(plain.digest())));
    assertThat(referrers.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
    StoredManifest sociIndex = manifest(registry, repo, sociDigest);
    assertThat(ImageIndex.parse(referrers.bytes()).manifestList()).singleElement().satisfies(d -> {
      assertThat(d.digest()).isEqualTo(sociDigest);
      assertThat(d.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
      assertThat(d.size()).isEqualTo(sociIndex.bytes().length);
      assertThat(d.artifactType()).isEqualTo(MediaTypes.SOCI_INDEX_V1);
      assertThat(d.annotation(SociIndex.ANNOTATION_BUILD_TOOL_ID)).isEqualTo(TOOL);
    });
    assertThat(SociIndex.survivesSnapshotterRoundTrip(sociIndex.bytes())).isTrue();
    ImageManifest m = ImageManifest.parse(sociIndex.bytes());
    assertThat(m.config().mediaType()).isEqualTo(MediaTypes.SOCI_INDEX_V1);
    assertThat(m.subject()).isEqualTo(Descriptor.of(MediaTypes.OCI_MANIFEST, plain.digest(), plain.size()));
    assertZtocs(registry, repo, m, ImageManifest.parse(manifest(registry, repo, "v1").bytes()));

    IndexReport second = index(repo, "v1", v1);

    assertThat(second.outcome()).isEqualTo(Outcome.ALREADY_INDEXED);
    assertThat(second.platforms().get(0).sociIndexDigest()).isEqualTo(sociDigest);
    // The referrers tag index lists only SOCI artifacts: nothing to index there.
    try (FaultProxy proxy = FaultProxy.start(registry.hostPort())) {
      assertThat(index(proxy.hostPort(), repo, ReferrersTagIndex.tagFor(Digest.parse(plain.digest())), options()).outcome())
          .isEqualTo(Outcome.SOCI_ENABLED_IMAGE);
      assertThat(index(proxy.hostPort(), repo, ReferrersTagIndex.tagFor(Digest.parse(plain.digest())), v1).outcome())
          .isEqualTo(Outcome.SOCI_ENABLED_IMAGE);
      assertNoWrites(proxy);
    }
    assertThat(ImageIndex.parse(manifest(registry, repo, ReferrersTagIndex.tagFor(Digest.parse(plain.digest()))).bytes())
        .manifestList()).hasSize(1);
  }

  @Test
  void v1SubjectOfADockerImageKeepsTheDockerManifestType() {
    String repo = push(plain, "v1/docker", "--format", "v2s2");
    StoredManifest source = manifest(registry, repo, "v1");

    IndexReport report = index(repo, "v1", options().withVersion(SociIndex.Version.V1));

    ImageManifest soci = ImageManifest.parse(manifest(registry, repo, report.platforms().get(0).sociIndexDigest()).bytes());
    assertThat(soci.subject()).isEqualTo(Descriptor.of(MediaTypes.DOCKER_MANIFEST, source.digest(), source.size()));
    assertThat(find(registry, repo, ReferrersTagIndex.tagFor(source.digest()))).isNotNull();
    assertZtocs(registry, repo, soci, ImageManifest.parse(source.bytes()));
  }

  @Test
  void v1ReferrerBuiltWithOtherOptionsIsNotTakenForOne() {
    String repo = push(plain, "v1/options");
    IndexOptions v1 = options().withVersion(SociIndex.Version.V1);
    List<Outcome> outcomes = new ArrayList<>();
    List<String> digests = new ArrayList<>();
    for (IndexOptions o : List.of(v1, v1.withSpanSize(2 * SPAN), v1, v1.withSpanSize(2 * SPAN),
        v1.withOptimizations(Set.of(Optimization.XATTR)))) {
      IndexReport r = index(repo, "v1", o);
      outcomes.add(r.outcome());
      digests.add(r.platforms().get(0).sociIndexDigest());
    }

    // Another span size is another index; each is found again afterwards. The layers have no xattrs, so
    // the optimization marks their zTOCs: that index differs too.
    assertThat(outcomes).containsExactly(Outcome.INDEXED, Outcome.INDEXED, Outcome.ALREADY_INDEXED,
        Outcome.ALREADY_INDEXED, Outcome.INDEXED);
    assertThat(digests.get(2)).isEqualTo(digests.get(0));
    assertThat(digests.get(3)).isEqualTo(digests.get(1));
    assertThat(digests.get(1)).isNotEqualTo(digests.get(0));
    assertThat(digests.get(4)).isNotIn(digests.get(0), digests.get(1));
    assertThat(ImageIndex.parse(manifest(registry, repo, ReferrersTagIndex.tagFor(Digest.parse(plain.digest())))
        .bytes()).manifestList()).extracting(Descriptor::digest).containsExactlyInAnyOrder(
            digests.get(0), digests.get(1), digests.get(4));
  }

  @Test
  void v1ForcedRunKeepsOneReferrerEntry() {
    String repo = push(plain, "v1/force");
    IndexOptions v1 = options().withVersion(SociIndex.Version.V1);
    index(repo, "v1", v1);

    IndexReport forced = index(repo, "v1", v1.withForce(true));

    assertThat(forced.outcome()).isEqualTo(Outcome.INDEXED);
    assertThat(ImageIndex.parse(manifest(registry, repo, ReferrersTagIndex.tagFor(Digest.parse(plain.digest()))).bytes())
        .manifestList()).hasSize(1);
  }

  @Test
  void v1IndexesEachPlatformOfAMultiPlatformImageWithItsOwnReferrersTag() {
    String repo = push(multi, "v1/multi", "--all");

    IndexReport report = index(repo, "v1", options().withVersion(SociIndex.Version.V1));

    assertThat(report.outcome()).isEqualTo(Outcome.INDEXED);
    assertThat(report.platforms()).hasSize(2);
    for (int i = 0; i < 2; i++) {
      TestImages.ImageManifest source = multi.manifests().get(i);
      StoredManifest referrers = manifest(registry, repo, ReferrersTagIndex.tagFor(Digest.parse(source.digest())));
      Descriptor entry = ImageIndex.parse(referrers.bytes()).manifestList().get(0);
      assertThat(entry.digest()).isEqualTo(report.platforms().get(i).sociIndexDigest());
      ImageManifest soci = ImageManifest.parse(manifest(registry, repo, entry.digest()).bytes());
      assertThat(soci.subject().digest()).isEqualTo(source.digest().toString());
      assertZtocs(registry, repo, soci, ImageManifest.parse(manifest(registry, repo, source.digest().toString()).bytes()));
    }
  }

  // ------------------------------------------------------------------ auth

  @Test
  void basicAuthRegistryIsIndexedWithCredentials() {
    try (RegistryServer secured = RegistryServer.basicAuth("alice", "htpasswd-secret").start();
        RegistryClient authed = newClient(secured)) {
      Skopeo.copy(plain.ociReference(), "docker://" + secured.hostPort() + "/auth/basic:v1", secured.destCredsArgs());

      IndexReport report = new IndexingService(options(), null)
          .index(new RegistryImageStore(authed, secured.hostPort(), "auth/basic"), "v1", null);

      assertThat(report.outcome()).isEqualTo(Outcome.INDEXED);
      assertSociEnabledImage(secured, authed, "auth/basic", "v1-soci", report, Set.of(plain.digest().toString()));
    }
  }

  @Test
  void tokenAuthRegistryIsIndexedWithBearerTokens() {
    try (RegistryServer secured = RegistryServer.tokenAuth("bob", "token-secret").start();
        RegistryClient authed = newClient(secured)) {
      Skopeo.copy(plain.ociReference(), "docker://" + secured.hostPort() + "/auth/token:v1", secured.destCredsArgs());
      int before = secured.tokenRequests();

      IndexReport report = new IndexingService(options(), null)
          .index(new RegistryImageStore(authed, secured.hostPort(), "auth/token"), "v1", null);

      assertThat(report.outcome()).isEqualTo(Outcome.INDEXED);
      assertThat(secured.tokenRequests()).isGreaterThan(before);
      assertSociEnabledImage(secured, authed, "auth/token", "v1-soci", report, Set.of(plain.digest().toString()));
    }
  }

  @Test
  void wrongCredentialsFailCleanly() {
    try (RegistryServer secured = RegistryServer.basicAuth("alice", "htpasswd-secret").start();
        RegistryClient wrong = new RegistryClient(r -> new Credentials("alice", "nope"),
            new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(10)), true, Duration.ofSeconds(10))) {
      Skopeo.copy(plain.ociReference(), "docker://" + secured.hostPort() + "/auth/wrong:v1", secured.destCredsArgs());

      assertThatThrownBy(() -> new IndexingService(options(), null)
          .index(new RegistryImageStore(wrong, secured.hostPort(), "auth/wrong"), "v1", null))
          .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.isTransient()).isFalse())
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("htpasswd-secret").doesNotContain("nope"));
    }
  }

  // ------------------------------------------------------------------ faults

  @Test
  void connectionDroppedMidLayerIsResumedAndTheZtocIsCorrect() {
    String repo = push(plain, "fault/drop");
    IndexReport report;
    try (FaultProxy proxy = FaultProxy.start(registry.hostPort())) {
      FaultProxy.Rule drop = proxy.dropAfterBytes("GET", layerPath(repo, plain, 0), 2 * MIB, 1);

      report = index(proxy.hostPort(), repo, "v1", options());

      assertThat(drop.fired()).isEqualTo(1);
      assertThat(proxy.requests()).filteredOn(r -> r.path().equals(layerPath(repo, plain, 0)))
          .extracting(FaultProxy.Request::range).last().asString().startsWith("bytes=");
    }
    assertThat(report.outcome()).isEqualTo(Outcome.INDEXED);
    assertSociEnabledImage(registry, repo, "v1-soci", report, Set.of(plain.digest().toString()));
  }

  @Test
  void serverErrorsAndTooManyRequestsAreRetried() {
    String repo = push(plain, "fault/retry");
    IndexReport report;
    try (FaultProxy proxy = FaultProxy.start(registry.hostPort())) {
      proxy.respond("GET", "/v2/" + repo + "/manifests/v1$", 500, 2);
      proxy.tooManyRequests("GET", layerPath(repo, plain, 0), 1, 1);
      FaultProxy.Rule putFails = proxy.respond("PUT", "/v2/" + repo + "/manifests/v1-soci$", 503, 1);

      report = index(proxy.hostPort(), repo, "v1", options());

      assertThat(report.outcome()).isEqualTo(Outcome.INDEXED);
      assertThat(putFails.fired()).isEqualTo(1);
      assertThat(proxy.count("GET", layerPath(repo, plain, 0))).isEqualTo(2);
    }
    assertSociEnabledImage(registry, repo, "v1-soci", report, Set.of(plain.digest().toString()));
  }

  @Test
  void failedUploadsAreRetried() {
    String repo = push(plain, "fault/upload");
    IndexReport report;
    try (FaultProxy proxy = FaultProxy.start(registry.hostPort())) {
      FaultProxy.Rule post = proxy.respond("POST", "/v2/" + repo + "/blobs/uploads/", 500, 1);
      FaultProxy.Rule put = proxy.respond("PUT", "/v2/" + repo + "/blobs/uploads/", 502, 1);
      FaultProxy.Rule manifestPut = proxy.tooManyRequests("PUT", "/v2/" + repo + "/manifests/sha256:", 1, 1);

      report = index(proxy.hostPort(), repo, "v1", options());

      assertThat(post.fired()).isEqualTo(1);
      assertThat(put.fired()).isEqualTo(1);
      assertThat(manifestPut.fired()).isEqualTo(1);
    }
    assertThat(report.outcome()).isEqualTo(Outcome.INDEXED);
    assertSociEnabledImage(registry, repo, "v1-soci", report, Set.of(plain.digest().toString()));
  }

  @Test
  void corruptedLayerByteFailsCleanlyWithNothingPushed() {
    String repo = push(plain, "fault/corrupt");
    try (FaultProxy proxy = FaultProxy.start(registry.hostPort())) {
      proxy.flipByte("GET", layerPath(repo, plain, 0), 3 * MIB + 17, 10);

      for (IndexOptions o : List.of(options(), options().withVersion(SociIndex.Version.V1))) {
        assertThatThrownBy(() -> index(proxy.hostPort(), repo, "v1", o))
            .satisfies(e -> assertThat(e).isInstanceOfAny(DigestMismatchException.class, IndexingException.class))
            .hasMessageContaining(plain.manifests().get(0).layers().get(0).digest().toString());
      }
      assertNoWrites(proxy);
    }
    assertThat(find(registry, repo, "v1-soci")).isNull();
    assertThat(find(registry, repo, ReferrersTagIndex.tagFor(Digest.parse(plain.digest())))).isNull();
  }

  @Test
  void persistentServerErrorOnALayerFailsTransientlyWithNothingPushed() {
    String repo = push(plain, "fault/down");
    try (FaultProxy proxy = FaultProxy.start(registry.hostPort())) {
      proxy.respond("GET", layerPath(repo, plain, 0), 500, 100);

      assertThatThrownBy(() -> index(proxy.hostPort(), repo, "v1", options()))
          .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.isTransient()).isTrue());
      assertNoWrites(proxy);
    }
    assertThat(find(registry, repo, "v1-soci")).isNull();
  }

  @Test
  void failingTagPushLeavesNoSociTagAndARetryCompletes() {
    String repo = push(plain, "fault/tag");
    try (FaultProxy proxy = FaultProxy.start(registry.hostPort())) {
      proxy.respond("PUT", "/v2/" + repo + "/manifests/v1-soci$", 500, 100);

      assertThatThrownBy(() -> index(proxy.hostPort(), repo, "v1", options()))
          .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.isTransient()).isTrue());
    }
    assertThat(find(registry, repo, "v1-soci")).isNull();

    IndexReport retried = index(repo, "v1", options());

    assertThat(retried.outcome()).isEqualTo(Outcome.INDEXED);
    assertSociEnabledImage(registry, repo, "v1-soci", retried, Set.of(plain.digest().toString()));
  }

  @Test
  void v1FailingReferrersTagPushLeavesNoReferrersTag() {
    String repo = push(plain, "fault/v1tag");
    String referrersTag = ReferrersTagIndex.tagFor(Digest.parse(plain.digest()));
    try (FaultProxy proxy = FaultProxy.start(registry.hostPort())) {
      proxy.respond("PUT", "/v2/" + repo + "/manifests/" + referrersTag + "$", 500, 100);

      assertThatThrownBy(() -> index(proxy.hostPort(), repo, "v1", options().withVersion(SociIndex.Version.V1)))
          .isInstanceOf(RegistryException.class);
    }
    assertThat(find(registry, repo, referrersTag)).isNull();
    assertThat(index(repo, "v1", options().withVersion(SociIndex.Version.V1)).outcome()).isEqualTo(Outcome.INDEXED);
  }

  // ------------------------------------------------------------------ immutable tags (ECR)

  /**
   * What ECR answers over the OCI API when a manifest PUT would move an existing tag of a repository with
   * immutable tags (docker shows it as "tag invalid: The image tag ... cannot be overwritten because the
   * repository is immutable."): 400 with the error code TAG_INVALID.
   */
  static FaultProxy.Rule immutableTag(FaultProxy proxy, String repo, String tag) {
    return proxy.respond("PUT", "/v2/" + repo + "/manifests/" + tag + "$", 400, 100).withErrorCode("TAG_INVALID")
        .withErrorMessage("The image tag '" + tag + "' already exists in the '" + repo
            + "' repository and cannot be overwritten because the repository is immutable.");
  }

  @Test
  void immutableSociTagOfAMatchingIndexIsAlreadyIndexedWithoutAWrite() {
    String repo = push(plain, "immutable/same");
    IndexReport first = index(repo, "v1", options());
    try (FaultProxy proxy = FaultProxy.start(registry.hostPort())) {
      FaultProxy.Rule refuse = immutableTag(proxy, repo, "v1-soci");

      IndexReport second = index(proxy.hostPort(), repo, "v1", options());

      assertThat(second.outcome()).isEqualTo(Outcome.ALREADY_INDEXED);
      assertThat(second.imageIndexDigest()).isEqualTo(first.imageIndexDigest());
      assertThat(refuse.fired()).isZero();
    }
  }

  @Test
  void immutableSociTagThatANewSpanSizeWouldMoveFailsOnceNamingTheFix() {
    String repo = push(plain, "immutable/span");
    IndexReport first = index(repo, "v1", options());
    try (FaultProxy proxy = FaultProxy.start(registry.hostPort())) {
      FaultProxy.Rule refuse = immutableTag(proxy, repo, "v1-soci");

      assertThatThrownBy(() -> index(proxy.hostPort(), repo, "v1", options().withSpanSize(2 * SPAN)))
          .isInstanceOf(IndexingException.class)
          .hasMessageContaining("cannot move tag v1-soci")
          .hasMessageContaining("TAG_INVALID")
          .hasMessageContaining("--image-tag-mutability IMMUTABLE_WITH_EXCLUSION")
          .hasMessageContaining("filterType=WILDCARD,filter='*-soci'")
          .hasMessageNotContaining("\n");
      assertThat(refuse.fired()).as("a refused tag is not retried").isEqualTo(1);
    }
    assertThat(find(registry, repo, "v1-soci").digest().toString()).isEqualTo(first.imageIndexDigest());
  }

  @Test
  void immutableSociTagThatAlreadyNamesTheRebuiltIndexIsTheResult() {
    String repo = push(plain, "immutable/forced");
    IndexReport first = index(repo, "v1", options());
    try (FaultProxy proxy = FaultProxy.start(registry.hostPort())) {
      FaultProxy.Rule refuse = immutableTag(proxy, repo, "v1-soci");

      // A forced (or concurrent) run builds the same bytes: the tag that cannot move already names them.
      IndexReport forced = index(proxy.hostPort(), repo, "v1", options().withForce(true));

      assertThat(forced.outcome()).isEqualTo(Outcome.INDEXED);
      assertThat(forced.imageIndexDigest()).isEqualTo(first.imageIndexDigest());
      assertThat(forced.tag()).isEqualTo("v1-soci");
      assertThat(refuse.fired()).isEqualTo(1);
    }
  }

  // ------------------------------------------------------------------ helpers

  /** Pushes {@code image} to a fresh repository with skopeo; returns the repository name. */
  static String push(TestImage image, String repo, String... skopeoArgs) {
    Skopeo.copy(image.ociReference(), "docker://" + registry.hostPort() + "/" + repo + ":" + image.tag(), skopeoArgs);
    return repo;
  }

  static RegistryImageStore store(RegistryServer server, String repo) {
    return new RegistryImageStore(client, server.hostPort(), repo);
  }

  static IndexReport index(String repo, String tag, IndexOptions options) {
    return index(registry.hostPort(), repo, tag, options);
  }

  static IndexReport index(String hostPort, String repo, String tag, IndexOptions options) {
    return new IndexingService(options, null).index(new RegistryImageStore(client, hostPort, repo), tag, null);
  }

  static String layerPath(String repo, TestImage image, int layer) {
    return "/v2/" + repo + "/blobs/" + image.manifests().get(0).layers().get(layer).digest();
  }

  static void assertNoWrites(FaultProxy proxy) {
    assertThat(proxy.requests()).filteredOn(r -> !r.method().equals("GET") && !r.method().equals("HEAD"))
        .as("requests that write").isEmpty();
  }

  static StoredManifest find(RegistryServer server, String repo, String reference) {
    return client.getManifest(server.hostPort(), repo, reference, null);
  }

  static StoredManifest manifest(RegistryServer server, String repo, String reference) {
    StoredManifest m = find(server, repo, reference);
    assertThat(m).as("manifest %s in %s", reference, repo).isNotNull();
    return m;
  }

  static ImageIndex assertSociEnabledImage(RegistryServer server, String repo, String sociTag, IndexReport report,
      Set<String> sourceManifests) {
    return assertSociEnabledImage(server, client, repo, sociTag, report, sourceManifests);
  }

  /**
   * Checks the v2 result under {@code sociTag} byte by byte: the image index lists the rewritten
   * image manifests, then one SOCI index per platform; each rewritten manifest is the source manifest
   * in OCI types with the index-digest annotation; each SOCI index round-trips through the snapshotter
   * and its zTOCs extract the layers' files.
   */
  static ImageIndex assertSociEnabledImage(RegistryServer server, RegistryClient c, String repo, String sociTag,
      IndexReport report, Set<String> sourceManifests) {
    StoredManifest top = c.getManifest(server.hostPort(), repo, sociTag, null);
    assertThat(top).as("%s:%s", repo, sociTag).isNotNull();
    assertThat(top.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
    if (report != null) {
      assertThat(top.digest().toString()).isEqualTo(report.imageIndexDigest());
    }
    ImageIndex idx = ImageIndex.parse(top.bytes());
    List<Descriptor> images = idx.manifestList().stream().filter(d -> d.artifactType().isEmpty()).toList();
    List<Descriptor> socis = idx.manifestList().stream().filter(d -> !d.artifactType().isEmpty()).toList();
    assertThat(images).hasSize(sourceManifests.size());
    assertThat(socis).hasSize(sourceManifests.size());
    assertThat(idx.manifestList().subList(0, images.size())).as("images first").isEqualTo(images);

    // The platforms' source manifests, by platform, from the source tag.
    Map<String, ImageManifest> sourceByDigest = new TreeMap<>();
    for (String d : sourceManifests) {
      sourceByDigest.put(d, ImageManifest.parse(c.getManifest(server.hostPort(), repo, d, null).bytes()));
    }
    List<ImageManifest> matched = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      Descriptor image = images.get(i);
      Descriptor soci = socis.get(i);
      assertThat(image.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
      String sociDigest = image.annotation(SociIndex.ANNOTATION_INDEX_DIGEST);
      assertThat(sociDigest).isEqualTo(soci.digest());

      StoredManifest rewrittenBytes = c.getManifest(server.hostPort(), repo, image.digest(), null);
      assertThat(rewrittenBytes.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
      assertThat(rewrittenBytes.bytes().length).isEqualTo(image.size());
      ImageManifest rewritten = ImageManifest.parse(rewrittenBytes.bytes());
      assertThat(rewritten.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
      assertThat(rewritten.config().mediaType()).isEqualTo(MediaTypes.OCI_CONFIG);
      assertThat(rewritten.annotations()).containsEntry(SociIndex.ANNOTATION_INDEX_DIGEST, sociDigest);
      assertThat(image.annotations()).isEqualTo(rewritten.annotations());
      ImageManifest source = sourceByDigest.values().stream()
          .filter(s -> s.config().digest().equals(rewritten.config().digest()))
          .findFirst().orElseThrow(() -> new AssertionError("no source manifest for " + image));
      matched.add(source);
      assertThat(rewritten.layers()).as("layers kept verbatim").isEqualTo(source.layers());

      assertThat(soci.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
      assertThat(soci.artifactType()).isEqualTo(MediaTypes.SOCI_INDEX_V2);
      assertThat(soci.platform()).isNotNull().isEqualTo(image.platform());
      assertThat(soci.annotations()).containsExactly(Map.entry(SociIndex.ANNOTATION_IMAGE_MANIFEST_DIGEST,
          image.digest()));
      StoredManifest sociBytes = c.getManifest(server.hostPort(), repo, soci.digest(), null);
      assertThat(sociBytes.bytes().length).isEqualTo(soci.size());
      assertThat(SociIndex.survivesSnapshotterRoundTrip(sociBytes.bytes())).isTrue();
      ImageManifest sociIndex = ImageManifest.parse(sociBytes.bytes());
      assertThat(sociIndex.config().mediaType()).isEqualTo(MediaTypes.SOCI_INDEX_V2);
      assertThat(sociIndex.subject()).isNull();
      assertThat(sociIndex.annotations()).containsExactly(Map.entry(SociIndex.ANNOTATION_BUILD_TOOL_ID, TOOL));
      assertZtocs(server, c, repo, sociIndex, source);
      if (report != null) {
        assertThat(report.platforms()).anySatisfy(p -> assertThat(p.sociIndexDigest()).isEqualTo(soci.digest()));
      }
    }
    assertThat(matched).doesNotHaveDuplicates();
    assertThat(c.blobExists(server.hostPort(), repo, SociIndex.EMPTY_CONFIG_DIGEST)).isTrue();
    return idx;
  }

  static void assertZtocs(RegistryServer server, String repo, ImageManifest sociIndex, ImageManifest source) {
    assertZtocs(server, client, repo, sociIndex, source);
  }

  /**
   * The SOCI index's layers are one zTOC per eligible source layer (gzip, at least the minimum size),
   * in image-layer order, each with soci's annotations; every zTOC extracts its layer's files.
   */
  static void assertZtocs(RegistryServer server, RegistryClient c, String repo, ImageManifest sociIndex,
      ImageManifest source) {
    List<Descriptor> eligible = source.layers().stream()
        .filter(l -> l.size() >= MIB && l.mediaType().endsWith("gzip")).toList();
    assertThat(eligible).isNotEmpty();
    assertThat(sociIndex.layers()).hasSize(eligible.size());
    int crossing = 0;
    for (int i = 0; i < eligible.size(); i++) {
      Descriptor layer = eligible.get(i);
      Descriptor z = sociIndex.layers().get(i);
      assertThat(z.mediaType()).isEqualTo(MediaTypes.OCTET_STREAM);
      assertThat(z.annotations()).containsExactly(
          Map.entry(SociIndex.ANNOTATION_IMAGE_LAYER_DIGEST, layer.digest()),
          Map.entry(SociIndex.ANNOTATION_IMAGE_LAYER_MEDIA_TYPE, layer.mediaType()),
          Map.entry(SociIndex.ANNOTATION_SPAN_SIZE, Long.toString(SPAN)));
      byte[] ztoc = readBlob(server, c, repo, z);
      assertThat(Digest.sha256Of(ztoc).toString()).isEqualTo(z.digest());
      byte[] layerBytes = readBlob(server, c, repo, layer);
      crossing += ZtocChecks.assertExtractsEveryFile(ztoc, layerBytes, SPAN);
      ZtocChecks.assertSpanDigestsMatch(ztoc, layerBytes);
    }
    assertThat(crossing).as("files extracted across span boundaries").isPositive();
  }

  static byte[] readBlob(RegistryServer server, RegistryClient c, String repo, Descriptor d) {
    try (InputStream in = c.openBlob(server.hostPort(), repo, d.parsedDigest(), d.size())) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The registry's user for its own host (anonymous when it has none). */
  static CredentialsProvider credentials(RegistryServer server) {
    return CredentialsProvider.of(server.hostPort(),
        server.username() == null ? null : new Credentials(server.username(), server.password()));
  }
}
