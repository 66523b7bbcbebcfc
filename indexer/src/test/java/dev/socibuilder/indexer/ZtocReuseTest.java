package dev.socibuilder.indexer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.indexer.IndexReport.BlobOutcome;
import dev.socibuilder.indexer.IndexReport.Outcome;
import dev.socibuilder.indexer.IndexReport.ZtocReport;
import dev.socibuilder.indexer.IndexReport.ZtocSource;
import dev.socibuilder.indexer.cache.CacheEntry;
import dev.socibuilder.indexer.cache.CacheKey;
import dev.socibuilder.indexer.cache.DirectoryZtocCache;
import dev.socibuilder.indexer.cache.ZtocCache;
import dev.socibuilder.indexer.store.ImageStore;
import dev.socibuilder.indexer.store.LayoutImageStore;
import dev.socibuilder.indexer.store.OciLayout;
import dev.socibuilder.indexer.store.RegistryImageStore;
import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.registry.RegistryClient;
import dev.socibuilder.registry.RetryPolicy;
import dev.socibuilder.testing.registry.FaultProxy;
import dev.socibuilder.testing.registry.RegistryServer;
import dev.socibuilder.testing.registry.Skopeo;
import dev.socibuilder.testing.registry.TestImages;
import dev.socibuilder.testing.registry.TestImages.LayerSpec;
import dev.socibuilder.testing.registry.TestImages.TestImage;
import dev.socibuilder.ztoc.CompressionAlgorithm;
import dev.socibuilder.ztoc.ZtocBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The zTOC cache in indexing runs against a real Distribution registry: image A (layers "a" and
 * "shared") and image B (layers "shared" and "b") are pushed to different repositories; a run on B after
 * one on A reuses the shared layer's zTOC without reading the layer and mounts its blob from A's
 * repository. Bad entries are deleted, rebuilt and reported, never published; a cache that cannot be used
 * never fails a run.
 */
class ZtocReuseTest {
  static final long MIB = 1 << 20;
  static final long SPAN = IndexingServiceTest.SPAN;
  static final String TOOL = IndexingServiceTest.TOOL;
  static final AtomicInteger REPOS = new AtomicInteger();

  @TempDir
  static Path images;

  static RegistryServer registry;
  static RegistryClient client;
  static TestImage imageA;
  static TestImage imageB;
  static TestImages.Layer shared;

  @TempDir
  Path cacheDir;

  @BeforeAll
  static void setUp() {
    registry = RegistryServer.anonymous().start();
    client = new RegistryClient(null, new RetryPolicy(4, Duration.ofMillis(20), Duration.ofMillis(200)), true,
        Duration.ofSeconds(10));
    LayerSpec sharedSpec = LayerSpec.incompressible(3 * MIB, 2);
    imageA = TestImages.singlePlatform(images.resolve("a"), "v1", LayerSpec.incompressible(3 * MIB, 1), sharedSpec);
    imageB = TestImages.singlePlatform(images.resolve("b"), "v1", sharedSpec, LayerSpec.incompressible(2 * MIB, 3));
    shared = imageA.manifests().get(0).layers().get(1);
    assertThat(imageB.manifests().get(0).layers().get(0).digest()).isEqualTo(shared.digest());
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

  static IndexOptions options() {
    return IndexOptions.defaults(TOOL).withMinLayerSize(MIB).withSpanSize(SPAN).withParallelism(2);
  }

  static String push(TestImage image, String name) {
    String repo = "cache/" + name + "-" + REPOS.incrementAndGet();
    Skopeo.copy(image.ociReference(), "docker://" + registry.hostPort() + "/" + repo + ":v1");
    return repo;
  }

  static CacheKey key(TestImages.Layer layer) {
    return new CacheKey(Digest.parse(layer.digest()), SPAN, TOOL, CompressionAlgorithm.GZIP, ZoneOffset.UTC);
  }

  /** Compressed bytes read per layer digest. */
  static final class ReadCounter implements IndexListener {
    final Map<String, AtomicLong> read = new ConcurrentHashMap<>();

    @Override
    public void bytesRead(Descriptor layer, long n) {
      read.computeIfAbsent(layer.digest(), k -> new AtomicLong()).addAndGet(n);
    }

    long of(TestImages.Layer layer) {
      AtomicLong n = read.get(layer.digest());
      return n == null ? 0 : n.get();
    }
  }

  static IndexReport index(String hostPort, String repo, ZtocCache cache, IndexListener listener) {
    return new IndexingService(options(), listener, cache)
        .index(new RegistryImageStore(client, hostPort, repo), "v1", null);
  }

  static IndexReport index(String repo, ZtocCache cache) {
    return index(registry.hostPort(), repo, cache, null);
  }

  static ZtocReport ztoc(IndexReport r, TestImages.Layer layer) {
    return r.platforms().get(0).ztocs().stream().filter(z -> z.layerDigest().equals(layer.digest())).findFirst()
        .orElseThrow(() -> new AssertionError("no zTOC for " + layer.digest() + " in " + r.toJson()));
  }

  static TestImages.Layer layer(TestImage image, int i) {
    return image.manifests().get(0).layers().get(i);
  }

  static CacheEntry entry(DirectoryZtocCache cache, TestImages.Layer layer) {
    return CacheEntry.decode(cache.get(key(layer).id()).orElseThrow().bytes());
  }

  // ------------------------------------------------------------------ reuse

  @Test
  void sharedLayerIsIndexedOnceAndItsZtocBlobMountedFromTheFirstRepository() {
    DirectoryZtocCache cache = new DirectoryZtocCache(cacheDir);
    String repoA = push(imageA, "a");
    String repoB = push(imageB, "b");

    FaultProxy proxy = FaultProxy.start(registry.hostPort());
    IndexReport a = index(proxy.hostPort(), repoA, cache, null);

    assertThat(a.platforms().get(0).ztocs()).extracting(ZtocReport::source).containsOnly(ZtocSource.BUILT);
    assertThat(a.platforms().get(0).ztocs()).extracting(ZtocReport::blob).containsOnly(BlobOutcome.UPLOADED);
    assertThat(a.platforms().get(0).ztocs()).extracting(ZtocReport::cacheProblem).containsOnlyNulls();
    CacheEntry stored = entry(cache, shared);
    assertThat(stored.verify(key(shared), shared.size())).isNotNull();
    assertThat(stored.registry()).isEqualTo(proxy.hostPort());
    assertThat(stored.repository()).isEqualTo(repoA);

    ReadCounter reads = new ReadCounter();
    IndexReport b;
    try (proxy) {
      proxy.reset();
      b = index(proxy.hostPort(), repoB, new DirectoryZtocCache(cacheDir), reads);

      assertThat(proxy.count("GET", "/blobs/" + shared.digest())).as("the shared layer is not read").isZero();
      assertThat(proxy.count("POST", "/v2/" + repoB + "/blobs/uploads/\\?mount=")).isEqualTo(1);
    }

    assertThat(b.outcome()).isEqualTo(Outcome.INDEXED);
    ZtocReport reused = ztoc(b, shared);
    assertThat(reused.source()).isEqualTo(ZtocSource.CACHED);
    assertThat(reused.blob()).isEqualTo(BlobOutcome.MOUNTED);
    assertThat(reused.ztocDigest()).isEqualTo(ztoc(a, shared).ztocDigest());
    assertThat(reused.spans()).isEqualTo(ztoc(a, shared).spans());
    assertThat(reused.cacheProblem()).isNull();
    assertThat(ztoc(b, layer(imageB, 1)).source()).isEqualTo(ZtocSource.BUILT);
    assertThat(ztoc(b, layer(imageB, 1)).blob()).isEqualTo(BlobOutcome.UPLOADED);
    assertThat(reads.of(shared)).isZero();
    assertThat(reads.of(layer(imageB, 1))).isEqualTo(layer(imageB, 1).size());
    assertThat(b.message()).startsWith("built 1 zTOC(s), reused 1 from the zTOC cache; SOCI-enabled image index");
    assertThat(b.toJson()).contains("\"layerDigest\":\"" + shared.digest() + "\"")
        .contains("\"source\":\"cached\",\"blob\":\"mounted\",\"cacheProblem\":null");
    // The published result is complete and correct: every zTOC extracts its layer's files.
    IndexingServiceTest.assertSociEnabledImage(registry, client, repoB, "v1-soci", b, Set.of(imageB.digest()));
  }

  @Test
  void withoutACacheEveryZtocIsBuiltAndUploaded() {
    String repo = push(imageA, "nocache");

    IndexReport first = index(repo, null);
    IndexReport again = new IndexingService(options().withForce(true), null)
        .index(new RegistryImageStore(client, registry.hostPort(), repo), "v1", null);

    assertThat(first.platforms().get(0).ztocs()).extracting(ZtocReport::source, ZtocReport::blob,
        ZtocReport::cacheProblem).containsOnly(org.assertj.core.groups.Tuple.tuple(ZtocSource.BUILT,
            BlobOutcome.UPLOADED, null));
    assertThat(first.message()).startsWith("built 2 zTOC(s); SOCI-enabled image index ").doesNotContain("cache");
    assertThat(again.platforms().get(0).ztocs()).extracting(ZtocReport::source, ZtocReport::blob)
        .containsOnly(org.assertj.core.groups.Tuple.tuple(ZtocSource.BUILT, BlobOutcome.PRESENT));
  }

  @Test
  void aBlobAlreadyInTheTargetIsPresentAndNotMounted() {
    DirectoryZtocCache cache = new DirectoryZtocCache(cacheDir);
    String repo = push(imageA, "present");
    index(repo, cache);

    IndexReport forced = new IndexingService(options().withForce(true), null, cache)
        .index(new RegistryImageStore(client, registry.hostPort(), repo), "v1", null);

    assertThat(forced.platforms().get(0).ztocs()).extracting(ZtocReport::source, ZtocReport::blob)
        .containsOnly(org.assertj.core.groups.Tuple.tuple(ZtocSource.CACHED, BlobOutcome.PRESENT));
    assertThat(forced.message()).startsWith("built 0 zTOC(s), reused 2 from the zTOC cache");
  }

  @Test
  void declinedMountUploadsTheBlobAndTheEntryRecordsTheNewRepository() {
    DirectoryZtocCache cache = new DirectoryZtocCache(cacheDir);
    String repoA = push(imageA, "a");
    String repoB = push(imageB, "b");
    IndexReport b;
    try (FaultProxy proxy = FaultProxy.start(registry.hostPort())) {
      index(proxy.hostPort(), repoA, cache, null);
      FaultProxy.Rule declined = proxy.dropQuery("POST", "mount=", 10);

      b = index(proxy.hostPort(), repoB, cache, null);

      assertThat(declined.fired()).isEqualTo(1);
    }

    assertThat(ztoc(b, shared).source()).isEqualTo(ZtocSource.CACHED);
    assertThat(ztoc(b, shared).blob()).isEqualTo(BlobOutcome.UPLOADED);
    assertThat(client.blobExists(registry.hostPort(), repoB, Digest.parse(ztoc(b, shared).ztocDigest()))).isTrue();
    assertThat(entry(cache, shared).repository()).isEqualTo(repoB);
    IndexingServiceTest.assertSociEnabledImage(registry, client, repoB, "v1-soci", b, Set.of(imageB.digest()));
  }

  @Test
  void entryInUseIsRewrittenWhenOlderThanADaySoThatExpiryCountsFromLastUse() throws Exception {
    DirectoryZtocCache cache = new DirectoryZtocCache(cacheDir);
    String repoA = push(imageA, "a");
    String repoB = push(imageB, "b");
    String repoC = push(imageB, "c");
    index(repoA, cache);
    Path entryFile = cache.path(key(shared).id());
    Files.setLastModifiedTime(entryFile, FileTime.from(Instant.now().minus(Duration.ofDays(2))));

    index(repoB, cache);

    assertThat(Files.getLastModifiedTime(entryFile).toInstant()).isAfter(Instant.now().minus(Duration.ofHours(1)));
    assertThat(entry(cache, shared).repository()).isEqualTo(repoB);

    FileTime recent = FileTime.from(Instant.now().minus(Duration.ofHours(2)));
    Files.setLastModifiedTime(entryFile, recent);

    IndexReport c = index(repoC, cache);

    assertThat(ztoc(c, shared).blob()).isEqualTo(BlobOutcome.MOUNTED);
    assertThat(Files.getLastModifiedTime(entryFile)).as("a recent entry is not rewritten").isEqualTo(recent);
  }

  // ------------------------------------------------------------------ bad entries

  @Test
  void corruptedEntryIsDeletedRebuiltAndReportedButNeverPublished() throws Exception {
    DirectoryZtocCache cache = new DirectoryZtocCache(cacheDir);
    String repoA = push(imageA, "a");
    String repoB = push(imageB, "b");
    String good = ztoc(index(repoA, cache), shared).ztocDigest();
    Path file = cache.path(key(shared).id());
    byte[] corrupted = Files.readAllBytes(file);
    corrupted[corrupted.length - 1000] ^= 0x55;
    Files.write(file, corrupted);
    byte[] badZtoc = Arrays.copyOfRange(corrupted, corrupted.length - entry(cache, shared).ztoc().length,
        corrupted.length);

    IndexReport b = index(repoB, cache);

    assertRebuiltAndReported(b, good, "digest");
    assertThat(client.blobExists(registry.hostPort(), repoB, Digest.sha256Of(badZtoc))).isFalse();
    assertThat(entry(cache, shared).verify(key(shared), shared.size())).as("a good entry replaced it").isNotNull();
  }

  @Test
  void truncatedEntryIsDeletedRebuiltAndReported() throws Exception {
    DirectoryZtocCache cache = new DirectoryZtocCache(cacheDir);
    String repoA = push(imageA, "a");
    String repoB = push(imageB, "b");
    String good = ztoc(index(repoA, cache), shared).ztocDigest();
    Path file = cache.path(key(shared).id());
    byte[] whole = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(whole, whole.length / 2));

    IndexReport b = index(repoB, cache);

    assertRebuiltAndReported(b, good, "truncated");
    assertThat(entry(cache, shared).verify(key(shared), shared.size())).as("a good entry replaced it").isNotNull();
  }

  @Test
  void entryWithAZtocOfAnotherSpanSizeIsDeletedRebuiltAndNeverPublished() throws Exception {
    DirectoryZtocCache cache = new DirectoryZtocCache(cacheDir);
    String repoA = push(imageA, "a");
    String repoB = push(imageB, "b");
    String good = ztoc(index(repoA, cache), shared).ztocDigest();
    ZtocBuilder.Result wrongSpan;
    try (InputStream in = Files.newInputStream(imageA.blob(shared.digest()))) {
      wrongSpan = ZtocBuilder.of(SPAN * 2, TOOL, ZoneOffset.UTC).build(in, CompressionAlgorithm.GZIP);
    }
    cache.put(key(shared).id(), CacheEntry.of(key(shared), wrongSpan.bytes(), wrongSpan.ztocDigest())
        .pushedTo(registry.hostPort(), repoA).encode());

    IndexReport b = index(repoB, cache);

    assertRebuiltAndReported(b, good, "span size " + SPAN * 2);
    assertThat(client.blobExists(registry.hostPort(), repoB, wrongSpan.ztocDigest())).isFalse();
  }

  private void assertRebuiltAndReported(IndexReport b, String goodDigest, String why) {
    assertThat(b.outcome()).isEqualTo(Outcome.INDEXED);
    ZtocReport z = ztoc(b, shared);
    assertThat(z.source()).isEqualTo(ZtocSource.BUILT);
    assertThat(z.ztocDigest()).isEqualTo(goodDigest);
    assertThat(z.cacheProblem()).contains("bad zTOC cache entry").contains(why).contains("deleted, zTOC built");
    assertThat(b.message()).contains("zTOC cache problem on 1 layer(s), first: bad zTOC cache entry");
    assertThat(b.toJson()).contains("\"cacheProblem\":\"bad zTOC cache entry");
  }

  // ------------------------------------------------------------------ an unusable cache

  @Test
  void cacheThatCannotBeUsedNeverFailsIndexingAndEveryLayerSaysSo() throws IOException {
    Path notAFolder = Files.writeString(cacheDir.resolve("file"), "a file where the cache folder should be");
    String repo = push(imageA, "down");

    IndexReport r = index(repo, new DirectoryZtocCache(notAFolder));

    assertThat(r.outcome()).isEqualTo(Outcome.INDEXED);
    assertThat(r.platforms().get(0).ztocs()).extracting(ZtocReport::source).containsOnly(ZtocSource.BUILT);
    assertThat(r.platforms().get(0).ztocs()).allSatisfy(z -> assertThat(z.cacheProblem())
        .startsWith("zTOC cache " + notAFolder + " unavailable: ").endsWith("; zTOC built without it"));
    assertThat(r.message()).contains("zTOC cache problem on 2 layer(s), first: zTOC cache " + notAFolder);
    IndexingServiceTest.assertSociEnabledImage(registry, client, repo, "v1-soci", r, Set.of(imageA.digest()));
  }

  // ------------------------------------------------------------------ concurrency, layouts

  @Test
  void twoRunsBuildingOneLayerAtOnceBothSucceedAndLeaveAValidEntry() throws Exception {
    String repoA = push(imageA, "race-a");
    String repoB = push(imageB, "race-b");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      // Two caches on one folder, as two processes (or two Lambdas on one bucket) would have.
      Future<IndexReport> a = pool.submit(() -> index(repoA, new DirectoryZtocCache(cacheDir)));
      Future<IndexReport> b = pool.submit(() -> index(repoB, new DirectoryZtocCache(cacheDir)));
      IndexReport ra = a.get(120, TimeUnit.SECONDS);
      IndexReport rb = b.get(120, TimeUnit.SECONDS);

      assertThat(ra.outcome()).isEqualTo(Outcome.INDEXED);
      assertThat(rb.outcome()).isEqualTo(Outcome.INDEXED);
      assertThat(ztoc(ra, shared).ztocDigest()).isEqualTo(ztoc(rb, shared).ztocDigest());
      assertThat(List.of(ra, rb)).allSatisfy(r -> assertThat(r.platforms().get(0).ztocs())
          .extracting(ZtocReport::cacheProblem).containsOnlyNulls());
    } finally {
      pool.shutdownNow();
    }
    CacheEntry e = entry(new DirectoryZtocCache(cacheDir), shared);
    assertThat(e.verify(key(shared), shared.size())).isNotNull();
    assertThat(e.repository()).isIn(repoA, repoB);
  }

  @Test
  void imageLayoutsShareTheCacheAndUploadWithoutMounts(@TempDir Path layouts) throws IOException {
    DirectoryZtocCache cache = new DirectoryZtocCache(cacheDir);
    ImageStore a = new LayoutImageStore(OciLayout.open(copy(imageA.layout(), layouts.resolve("a"))));
    ImageStore b = new LayoutImageStore(OciLayout.open(copy(imageB.layout(), layouts.resolve("b"))));

    new IndexingService(options(), null, cache).index(a, "v1", null);
    IndexReport rb = new IndexingService(options(), null, cache).index(b, "v1", null);

    assertThat(ztoc(rb, shared).source()).isEqualTo(ZtocSource.CACHED);
    assertThat(ztoc(rb, shared).blob()).isEqualTo(BlobOutcome.UPLOADED);
    assertThat(layouts.resolve("b/blobs/sha256").resolve(Digest.parse(ztoc(rb, shared).ztocDigest()).hex()))
        .hasBinaryContent(entry(cache, shared).ztoc());
    assertThat(entry(cache, shared).registry()).as("a layout is no place to mount from").isNull();
  }

  private static Path copy(Path from, Path to) throws IOException {
    try (var files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
    return to;
  }
}
