package dev.socibuilder.indexer.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.indexer.IndexOptions;
import dev.socibuilder.indexer.IndexReport;
import dev.socibuilder.indexer.IndexingException;
import dev.socibuilder.indexer.IndexingService;
import dev.socibuilder.indexer.inspect.Inspection.IndexFound;
import dev.socibuilder.indexer.inspect.Inspection.PlatformInspection;
import dev.socibuilder.indexer.inspect.Inspection.ZtocFound;
import dev.socibuilder.indexer.store.ImageStore;
import dev.socibuilder.indexer.store.LayoutImageStore;
import dev.socibuilder.indexer.store.OciLayout;
import dev.socibuilder.indexer.store.RegistryImageStore;
import dev.socibuilder.oci.Platforms;
import dev.socibuilder.registry.RegistryClient;
import dev.socibuilder.registry.RetryPolicy;
import dev.socibuilder.soci.SociIndex;
import dev.socibuilder.testing.registry.RegistryServer;
import dev.socibuilder.testing.registry.Skopeo;
import dev.socibuilder.testing.registry.TestImages;
import dev.socibuilder.testing.registry.TestImages.LayerSpec;
import dev.socibuilder.testing.registry.TestImages.TestImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inspection of images indexed by this builder: in OCI layouts (v2, and v1 through the layout's
 * {@code index.json}) and in a real registry without the referrers API (v1 through the referrers tag,
 * multi-platform v2). Expected values come from the test images' specs and the indexer's own reports.
 */
class InspectorTest {
  static final long KIB = 1024;
  static final long SPAN = 64 * KIB;
  static final long MIN = 64 * KIB;

  @TempDir
  static Path shared;
  @TempDir
  Path tmp;

  static RegistryServer registry;
  static RegistryClient client;

  static final LayerSpec BIG = LayerSpec.incompressible(512 * KIB, 1); // 4 files + the data/ directory
  static final LayerSpec SMALL = LayerSpec.compressible(1024, 2);
  static final LayerSpec ZSTD = LayerSpec.incompressible(256 * KIB, 3).asZstd();

  @BeforeAll
  static void startRegistry() {
    registry = RegistryServer.anonymous().start();
    client = new RegistryClient(null, RetryPolicy.none(), true, Duration.ofSeconds(10));
  }

  @AfterAll
  static void stopRegistry() {
    client.close();
    registry.close();
  }

  static IndexOptions options() {
    return IndexOptions.defaults("inspect test").withMinLayerSize(MIN).withSpanSize(SPAN).withParallelism(2);
  }

  static Inspector inspector() {
    return new Inspector("-soci", MIN);
  }

  LayoutImageStore layout(String name, LayerSpec... layers) {
    TestImages.singlePlatform(tmp.resolve(name), "v1", layers);
    return new LayoutImageStore(OciLayout.open(tmp.resolve(name)));
  }

  @Test
  void aV2IndexedImageShowsEachZtocAndExplainsTheOtherLayers() {
    LayoutImageStore store = layout("img", BIG, SMALL, ZSTD);
    IndexReport indexed = new IndexingService(options(), null).index(store, "v1", null);

    Inspection inspection = inspector().inspect(store, "v1", null);

    assertThat(inspection.lazyLoadable()).isTrue();
    assertThat(inspection.sociEnabled()).isFalse();
    PlatformInspection p = inspection.platforms().get(0);
    assertThat(Platforms.format(p.platform())).isEqualTo("linux/amd64");
    assertThat(p.manifestDigest()).isEqualTo(indexed.platforms().get(0).manifestDigest());
    IndexFound v2 = p.indexes().get(0);
    assertThat(v2.version()).isEqualTo("v2");
    assertThat(v2.digest()).isEqualTo(indexed.platforms().get(0).sociIndexDigest());
    assertThat(v2.foundThrough()).isEqualTo("tag v1-soci");
    assertThat(v2.imageIndexDigest()).isEqualTo(indexed.imageIndexDigest());
    assertThat(v2.buildTool()).isEqualTo("inspect test");
    assertThat(v2.problem()).isNull();
    IndexReport.ZtocReport built = indexed.platforms().get(0).ztocs().get(0);
    assertThat(v2.ztocs()).containsExactly(new ZtocFound(built.layerDigest(), built.layerSize(), built.ztocDigest(),
        built.ztocSize(), SPAN, built.spans(), 5, null));
    assertThat(v2.ztocs().get(0).spans()).isGreaterThan(1);
    assertThat(v2.layersWithoutZtoc()).extracting(Inspection.LayerWithoutZtoc::reason).containsExactly(
        "size " + indexed.platforms().get(0).skipped().get(0).size() + " is less than min-layer-size " + MIN,
        "is compressed in an unsupported format. expect: [tar, gzip, unknown] but got \"zstd\"");
    assertThat(p.notes()).containsExactly("no SOCI index v1 (looked up through the referrers)");
  }

  @Test
  void anImageWithoutAnIndexIsNotLazyLoadableAndSaysWhereItLooked() {
    LayoutImageStore store = layout("plain", BIG);

    Inspection inspection = inspector().inspect(store, "v1", null);

    assertThat(inspection.lazyLoadable()).isFalse();
    assertThat(inspection.platforms()).singleElement().satisfies(p -> {
      assertThat(p.indexes()).isEmpty();
      assertThat(p.notes()).containsExactly("no SOCI index v2: there is no SOCI-enabled image index tagged v1-soci",
          "no SOCI index v1 (looked up through the referrers)");
    });
  }

  @Test
  void theSociEnabledImageItselfIsRecognisedByItsAnnotation() {
    LayoutImageStore store = layout("img", BIG, SMALL);
    IndexReport indexed = new IndexingService(options(), null).index(store, "v1", null);

    Inspection inspection = inspector().inspect(store, "v1-soci", null);

    assertThat(inspection.sociEnabled()).isTrue();
    assertThat(inspection.lazyLoadable()).isTrue();
    assertThat(inspection.digest()).isEqualTo(indexed.imageIndexDigest());
    IndexFound found = inspection.platforms().get(0).indexes().get(0);
    assertThat(found.foundThrough()).isEqualTo("the image's own com.amazon.soci.index-digest");
    assertThat(found.digest()).isEqualTo(indexed.platforms().get(0).sociIndexDigest());
    assertThat(found.ztocs()).hasSize(1);
  }

  @Test
  void aV1IndexInALayoutIsFoundAsAReferrer() {
    LayoutImageStore store = layout("img", BIG);
    IndexReport indexed = new IndexingService(options().withVersion(SociIndex.Version.V1), null).index(store, "v1", null);

    Inspection inspection = inspector().inspect(store, "v1", null);

    IndexFound v1 = inspection.platforms().get(0).indexes().get(0);
    assertThat(v1.version()).isEqualTo("v1");
    assertThat(v1.digest()).isEqualTo(indexed.platforms().get(0).sociIndexDigest());
    assertThat(v1.foundThrough()).isEqualTo("referrers");
    assertThat(v1.ztocs()).hasSize(1);
    assertThat(inspection.lazyLoadable()).as("v1 only: soci-snapshotter >= 0.10 ignores it by default").isFalse();
  }

  @Test
  void aTagMovedAfterIndexingIsNotCoveredByTheOldSociTag() {
    LayoutImageStore store = layout("img", BIG);
    new IndexingService(options(), null).index(store, "v1", null);
    TestImage other = TestImages.singlePlatform(tmp.resolve("other"), "v1", LayerSpec.incompressible(300 * KIB, 9));
    OciLayout layout = OciLayout.open(tmp.resolve("img"));
    copyImage(other, layout);

    Inspection inspection = inspector().inspect(store, "v1", null);

    assertThat(inspection.platforms().get(0).notes())
        .contains("no SOCI index v2: v1-soci does not hold this image (was v1 moved after indexing?)");
  }

  @Test
  void aZtocWhoseBytesDoNotMatchItsDigestIsReportedNotTrusted() throws IOException {
    LayoutImageStore store = layout("img", BIG);
    IndexReport indexed = new IndexingService(options(), null).index(store, "v1", null);
    String ztoc = indexed.platforms().get(0).ztocs().get(0).ztocDigest();
    Path blob = tmp.resolve("img/blobs/sha256").resolve(ztoc.substring("sha256:".length()));
    byte[] bytes = Files.readAllBytes(blob);
    bytes[bytes.length / 2] ^= 1;
    Files.write(blob, bytes);

    Inspection inspection = inspector().inspect(store, "v1", null);

    ZtocFound z = inspection.platforms().get(0).indexes().get(0).ztocs().get(0);
    assertThat(z.problem()).startsWith("cannot read: ").contains(ztoc);
    assertThat(z.spans()).isEqualTo(-1);
  }

  @Test
  void aDigestReferenceCannotFindTheV2TagAndSaysSo() {
    LayoutImageStore store = layout("img", BIG);
    IndexReport indexed = new IndexingService(options(), null).index(store, "v1", null);

    Inspection inspection =
        inspector().inspect(store, null, Digest.parse(indexed.platforms().get(0).manifestDigest()));

    assertThat(inspection.platforms().get(0).notes().get(0)).contains("this is a digest reference");
  }

  @Test
  void aSociIndexOrAMissingImageIsAClearError() {
    LayoutImageStore store = layout("img", BIG);
    IndexReport indexed = new IndexingService(options(), null).index(store, "v1", null);

    assertThatThrownBy(() -> inspector().inspect(store, null, Digest.parse(indexed.platforms().get(0).sociIndexDigest())))
        .isInstanceOf(IndexingException.class).hasMessageContaining("is itself a SOCI index");
    assertThatThrownBy(() -> inspector().inspect(store, "nope", null))
        .isInstanceOf(IndexingException.class).hasMessageContaining("not found");
  }

  @Test
  void inRegistryV1IsFoundThroughTheReferrersTagAndV2PerPlatform() {
    Map<TestImages.Platform, List<LayerSpec>> platforms = new LinkedHashMap<>();
    platforms.put(TestImages.Platform.linux("amd64"), List.of(BIG, SMALL));
    platforms.put(new TestImages.Platform("linux", "arm64", "v8"), List.of(LayerSpec.incompressible(200 * KIB, 5)));
    TestImage multi = TestImages.multiPlatform(shared.resolve("multi"), "v1", platforms);
    Skopeo.copy(multi.ociReference(), "docker://" + registry.hostPort() + "/multi/app:v1", "--all");
    ImageStore store = new RegistryImageStore(client, registry.hostPort(), "multi/app");
    new IndexingService(options(), null).index(store, "v1", null);
    IndexReport v1 = new IndexingService(options().withVersion(SociIndex.Version.V1), null).index(store, "v1", null);
    List<String> tagsBefore = client.listTags(registry.hostPort(), "multi/app", dev.socibuilder.registry.Listing.defaults());

    Inspection inspection = inspector().inspect(store, "v1", null);

    assertThat(inspection.lazyLoadable()).isTrue();
    assertThat(inspection.platforms()).extracting(p -> Platforms.format(p.platform()))
        .containsExactly("linux/amd64", "linux/arm64/v8");
    for (int i = 0; i < 2; i++) {
      PlatformInspection p = inspection.platforms().get(i);
      assertThat(p.indexes()).extracting(IndexFound::version).containsExactly("v2", "v1");
      assertThat(p.indexes().get(1).foundThrough())
          .isEqualTo("referrers tag sha256-" + p.manifestDigest().substring("sha256:".length()));
      assertThat(p.indexes().get(1).digest()).isEqualTo(v1.platforms().get(i).sociIndexDigest());
      assertThat(p.indexes()).allSatisfy(x -> assertThat(x.ztocs()).hasSize(1));
      assertThat(p.notes()).isEmpty();
    }
    assertThat(client.listTags(registry.hostPort(), "multi/app", dev.socibuilder.registry.Listing.defaults()))
        .as("inspect is read-only").containsExactlyInAnyOrderElementsOf(tagsBefore);
  }

  @Test
  void inspectingWritesNothingIntoALayout() throws IOException {
    LayoutImageStore store = layout("img", BIG, SMALL);
    new IndexingService(options(), null).index(store, "v1", null);
    byte[] index = Files.readAllBytes(tmp.resolve("img/index.json"));
    long blobs = countBlobs(tmp.resolve("img"));

    inspector().inspect(store, "v1", null);
    inspector().inspect(store, "v1-soci", null);

    assertThat(Files.readAllBytes(tmp.resolve("img/index.json"))).isEqualTo(index);
    assertThat(countBlobs(tmp.resolve("img"))).isEqualTo(blobs);
  }

  @Test
  void theJsonHasEveryField() {
    LayoutImageStore store = layout("img", BIG, SMALL);
    new IndexingService(options(), null).index(store, "v1", null);

    String json = inspector().inspect(store, "v1", null).toJson();

    assertThat(json).contains("\"sociEnabled\":false,\"lazyLoadable\":true,\"platforms\":[{\"platform\":\"linux/amd64\"")
        .contains("\"version\":\"v2\"", "\"foundThrough\":\"tag v1-soci\"", "\"spanSize\":65536", "\"files\":5",
            "\"layersWithoutZtoc\":[{", "\"notes\":[\"no SOCI index v1 (looked up through the referrers)\"]");
  }

  private static long countBlobs(Path layout) throws IOException {
    try (Stream<Path> s = Files.list(layout.resolve("blobs/sha256"))) {
      return s.count();
    }
  }

  /** Retags {@code v1} of {@code layout} to {@code other}'s manifest (copying its blobs in). */
  private static void copyImage(TestImage other, OciLayout layout) {
    try (Stream<Path> blobs = Files.list(other.layout().resolve("blobs/sha256"))) {
      for (Path b : (Iterable<Path>) blobs::iterator) {
        layout.writeBlob("application/octet-stream", Files.readAllBytes(b));
      }
      layout.tag("v1", dev.socibuilder.oci.Descriptor.of(other.mediaType(), other.digest(), other.size()));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
