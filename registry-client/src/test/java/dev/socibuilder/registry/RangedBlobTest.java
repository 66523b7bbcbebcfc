package dev.socibuilder.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.registry.http.Response;
import dev.socibuilder.testing.registry.FaultProxy;
import dev.socibuilder.testing.registry.RegistryServer;
import dev.socibuilder.testing.registry.Skopeo;
import dev.socibuilder.testing.registry.TestImages;
import dev.socibuilder.testing.registry.TestImages.LayerSpec;
import dev.socibuilder.testing.registry.TestImages.TestImage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blobs received over several ranged connections, from a real registry behind a {@link FaultProxy}; small
 * parts (64 KiB) and a threshold of one byte through the client's settings keep the blob small. Retry
 * delays are recorded by a fake sleeper instead of being waited out.
 */
class RangedBlobTest {
  static final int PART = 64 * 1024;

  @TempDir
  static Path tmp;

  static RegistryServer registry;
  static TestImages.Layer big;
  static byte[] bigBytes;
  static Digest digest;

  FaultProxy proxy;
  List<Duration> sleeps;
  RegistryClient client;

  @BeforeAll
  static void pushImage() throws Exception {
    registry = RegistryServer.anonymous().start();
    TestImage image = TestImages.singlePlatform(tmp.resolve("img"), "v1", LayerSpec.incompressible(1 << 20, 17));
    Skopeo.copy(image.ociReference(), "docker://" + registry.hostPort() + "/ranged/app:v1");
    big = image.manifests().get(0).layers().get(0);
    bigBytes = Files.readAllBytes(image.blob(big.digest()));
    digest = Digest.parse(big.digest());
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
    client = builder(4).build();
  }

  private RegistryClient.Builder builder(int connections) {
    return RegistryClient.builder().plainHttp(true).timeout(Duration.ofSeconds(10))
        .retry(new RetryPolicy(4, Duration.ofMillis(100), Duration.ofSeconds(2))).sleeper(sleeps::add)
        .blobConnections(connections).parallelDownloadThreshold(1).partSize(PART).rangedFromStart(true);
  }

  @AfterEach
  void stopProxy() {
    client.close();
    proxy.close();
  }

  private String blobPath() {
    return "/v2/ranged/app/blobs/" + big.digest();
  }

  private byte[] readBlob() throws Exception {
    try (InputStream in = client.openBlob(proxy.hostPort(), "ranged/app", digest, big.size())) {
      return in.readAllBytes();
    }
  }

  private List<String> ranges() {
    return proxy.requests().stream().filter(r -> r.path().equals(blobPath())).map(FaultProxy.Request::range).toList();
  }

  /** {@code bytes=a-b} of every part, in order. */
  private static List<String> partRanges() {
    long size = bigBytes.length;
    return LongStream.range(0, (size + PART - 1) / PART)
        .mapToObj(i -> "bytes=" + i * PART + "-" + (Math.min(size, (i + 1) * PART) - 1)).toList();
  }

  /**
   * Whether a request is the fall back to one connection: the rest of the blob ({@code bytes=N-}), or all of
   * it (no Range) if the reader had not read anything yet.
   */
  private static boolean isFallBack(String range) {
    return range == null || range.matches("bytes=\\d+-");
  }

  @Test
  void largeBlobIsReceivedAsRangedPartsOverSeveralConnectionsAndVerified() throws Exception {
    assertThat(bigBytes.length).isGreaterThan(8 * PART);

    assertThat(readBlob()).isEqualTo(bigBytes);

    List<String> ranges = ranges();
    assertThat(ranges.get(0)).isEqualTo("bytes=0-" + (PART - 1));
    assertThat(ranges).containsExactlyInAnyOrderElementsOf(partRanges());
    assertThat(sleeps).isEmpty();
  }

  @Test
  void oneConnectionKeepsTheSingleStreamWithoutRanges() throws Exception {
    client.close();
    client = builder(1).build();

    assertThat(readBlob()).isEqualTo(bigBytes);

    assertThat(ranges()).containsExactly((String) null);
  }

  @Test
  void blobBelowTheThresholdIsReadOverOneConnection() throws Exception {
    client.close();
    client = builder(4).parallelDownloadThreshold(bigBytes.length + 1L).build();

    assertThat(readBlob()).isEqualTo(bigBytes);

    assertThat(ranges()).containsExactly((String) null);
  }

  @Test
  void firstAnswerWithTheWholeBlobIsReadOverThatOneConnection() throws Exception {
    proxy.ignoreRange("GET", blobPath(), 1);

    assertThat(readBlob()).isEqualTo(bigBytes);

    assertThat(ranges()).containsExactly("bytes=0-" + (PART - 1));
  }

  @Test
  void partAnsweredWithTheWholeBlobFallsBackToOneConnectionWithoutLosingOrRepeatingBytes() throws Exception {
    FaultProxy.Rule ignored = proxy.ignoreRange("GET", blobPath(), 2).onRange("^bytes=" + 3 * PART + "-");
    List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    client.close();
    client = builder(4).warnings(warnings::add).build();

    assertThat(readBlob()).isEqualTo(bigBytes);
    waitFor(() -> client.rangedDownloadsOpen() == 0); // so that the second is ranged too
    assertThat(readBlob()).as("a second blob that falls back").isEqualTo(bigBytes);

    assertThat(ignored.fired()).isEqualTo(2);
    assertThat(ranges()).anyMatch(RangedBlobTest::isFallBack);
    assertThat(warnings).as("one warning per registry").singleElement().asString()
        .startsWith("registry " + proxy.hostPort() + " did not serve a part of a blob as asked (")
        .endsWith("): blobs whose parts it refuses are read over one connection");
  }

  @Test
  void wrongContentRangeOfAPartFallsBackToOneConnection() throws Exception {
    FaultProxy.Rule wrong = proxy.contentRange("GET", blobPath(), "bytes 0-" + (PART - 1) + "/" + bigBytes.length, 1)
        .onRange("^bytes=" + 2 * PART + "-");

    assertThat(readBlob()).isEqualTo(bigBytes);

    assertThat(wrong.fired()).isEqualTo(1);
    assertThat(ranges()).anyMatch(RangedBlobTest::isFallBack);
  }

  @Test
  void wrongTotalSizeOfTheFirstPartIsASizeMismatch() {
    proxy.contentRange("GET", blobPath(), "bytes 0-" + (PART - 1) + "/" + (bigBytes.length + 1), 1);

    assertThatThrownBy(this::readBlob).isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining("expected " + bigBytes.length + " bytes but the registry serves " + (bigBytes.length + 1));
  }

  @Test
  void partDroppedMidwayResumesFromWhereItStopped() throws Exception {
    long partStart = 5L * PART;
    FaultProxy.Rule drop = proxy.dropAfterBytes("GET", blobPath(), 20_000, 1).onRange("^bytes=" + partStart + "-");

    assertThat(readBlob()).isEqualTo(bigBytes);

    assertThat(drop.fired()).isEqualTo(1);
    String partEnd = "-" + (partStart + PART - 1);
    List<Long> resumedAt = ranges().stream()
        .filter(r -> r != null && r.endsWith(partEnd) && !r.equals("bytes=" + partStart + partEnd))
        .map(r -> Long.parseLong(r.replaceAll("bytes=(\\d+)-\\d+", "$1"))).toList();
    // Only the rest of the part is asked for again: from at or after what was received before the drop.
    assertThat(resumedAt).singleElement().satisfies(at -> assertThat(at).isGreaterThan(partStart)
        .isLessThanOrEqualTo(partStart + 20_000));
    assertThat(sleeps).hasSize(1);
  }

  @Test
  void stalledPartIsAbandonedAfterTheTimeoutAndResumed() throws Exception {
    client.close();
    client = builder(4).timeout(Duration.ofMillis(1500)).build();
    long partStart = 4L * PART;
    FaultProxy.Rule stall = proxy.stallAfterBytes("GET", blobPath(), 10_000, Duration.ofSeconds(20), 1)
        .onRange("^bytes=" + partStart + "-");

    assertThat(readBlob()).isEqualTo(bigBytes);

    assertThat(stall.fired()).isEqualTo(1);
    String partEnd = "-" + (partStart + PART - 1);
    assertThat(ranges()).filteredOn(r -> r != null && r.endsWith(partEnd)).hasSize(2)
        .anyMatch(r -> !r.equals("bytes=" + partStart + partEnd));
    assertThat(sleeps).hasSize(1);
  }

  @Test
  void corruptedByteInAPartIsADigestMismatch() {
    proxy.flipByte("GET", blobPath(), 1000, 1).onRange("^bytes=" + 4 * PART + "-");

    assertThatThrownBy(this::readBlob).isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining("ranged/app").hasMessageContaining(big.digest());
  }

  @Test
  void partThatKeepsFailingSurfacesAsARegistryExceptionOnRead() {
    proxy.respond("GET", blobPath(), 404, 100).onRange("^bytes=" + 6 * PART + "-");

    assertThatThrownBy(this::readBlob).isInstanceOfSatisfying(RegistryException.class, e -> {
      assertThat(e.status()).isEqualTo(404);
      assertThat(e.getMessage()).contains("ranged/app").contains(big.digest());
    });
  }

  @Test
  void repeatedDropsOfAPartGiveUpWithATransientErrorNamingTheOffset() {
    long partStart = 7L * PART;
    proxy.dropAfterBytes("GET", blobPath(), 0, 100).onRange("^bytes=" + partStart + "-");

    assertThatThrownBy(this::readBlob).isInstanceOfSatisfying(RegistryException.class, e -> {
      assertThat(e.isTransient()).isTrue();
      assertThat(e.getMessage()).contains("at byte " + partStart + " of " + bigBytes.length).contains(big.digest());
    });
    assertThat(sleeps).hasSize(3); // 4 attempts
  }

  @Test
  void partsGoWhereTheFirstRequestWasRedirectedWithoutCredentialsAndBackToTheRegistryWhenStorageRefuses()
      throws Exception {
    // The registry wants a password and redirects blob GETs to "storage" (here: the anonymous registry
    // holding the blob), which must get no credentials.
    try (RegistryServer secured = RegistryServer.basicAuth("alice", "s3cret-pass").start();
        FaultProxy front = FaultProxy.start(secured.hostPort());
        FaultProxy storage = FaultProxy.start(registry.hostPort());
        RegistryClient authed = builder(4).credentials(name -> new Credentials("alice", "s3cret-pass")).build()) {
      front.redirect("GET", blobPath(), "http://" + storage.hostPort(), 2);
      // An expired pre-signed URL: storage refuses one part once; it is asked of the registry again.
      long refusedAt = 3L * PART;
      storage.respond("GET", blobPath(), 403, 1).onRange("^bytes=" + refusedAt + "-");
      // Learn the registry's challenge first, so the blob request carries credentials.
      assertThat(authed.blobExists(front.hostPort(), "ranged/app", digest)).isFalse();

      try (InputStream in = authed.openBlob(front.hostPort(), "ranged/app", digest, big.size())) {
        assertThat(in.readAllBytes()).isEqualTo(bigBytes);
      }

      List<FaultProxy.Request> atRegistry = front.requests().stream()
          .filter(r -> r.method().equals("GET") && r.path().equals(blobPath())).toList();
      assertThat(atRegistry).extracting(FaultProxy.Request::range)
          .containsExactly("bytes=0-" + (PART - 1), "bytes=" + refusedAt + "-" + (refusedAt + PART - 1));
      assertThat(atRegistry).extracting(FaultProxy.Request::authScheme).containsExactly("Basic", "Basic");
      List<FaultProxy.Request> atStorage = storage.requests();
      assertThat(atStorage).extracting(FaultProxy.Request::authScheme).containsOnlyNulls();
      List<String> expected = new ArrayList<>(partRanges());
      expected.add("bytes=" + refusedAt + "-" + (refusedAt + PART - 1)); // refused, then sent again
      assertThat(atStorage).extracting(FaultProxy.Request::range).containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  @Test
  void deadlinePassingWhilePartsAreReceivedIsDeadlineExceeded() throws Exception {
    AtomicLong now = new AtomicLong();
    client.close();
    client = builder(4).deadline(Deadline.after(Duration.ofMinutes(1), now::get)).build();
    try (InputStream in = client.openBlob(proxy.hostPort(), "ranged/app", digest, big.size())) {
      now.addAndGet(Duration.ofMinutes(2).toNanos());

      assertThatThrownBy(in::readAllBytes).isInstanceOf(DeadlineExceededException.class);
    }
  }

  @Test
  void closingEarlyStopsEveryPartThreadAndItsConnection() throws Exception {
    // Every part after the first three hangs mid-body far longer than the test waits: only closing its
    // connection ends the read its worker is blocked in. (The first three fill the read-ahead's first buffer.)
    proxy.stallAfterBytes("GET", blobPath(), 1000, Duration.ofMinutes(2), 100)
        .onRange("^bytes=(?!(0|" + PART + "|" + 2 * PART + ")-)");
    client.close();
    client = builder(4).timeout(Duration.ofMinutes(2)).build();
    // Part threads of earlier tests' clients may still be ending: only this download's count.
    List<Thread> earlier = partThreads();
    InputStream in = client.openBlob(proxy.hostPort(), "ranged/app", digest, big.size());
    assertThat(in.readNBytes(PART)).isEqualTo(Arrays.copyOf(bigBytes, PART));
    waitFor(() -> proxy.count("GET", blobPath()) >= 3 + 4); // three parts plus four stalled ones
    List<Thread> workers = new ArrayList<>(partThreads());
    workers.removeAll(earlier);
    assertThat(workers).hasSize(4);

    in.close();

    for (Thread t : workers) {
      t.join(Duration.ofSeconds(20).toMillis());
      assertThat(t.isAlive()).as(t.getName() + " ended").isFalse();
    }
  }

  @Test
  void partsInMemoryStayWithinTheWindowWhileTheReaderWaits() throws Exception {
    try (Transport transport = new Transport(null, RetryPolicy.defaults(), true, Duration.ofSeconds(10),
        Deadline.none(), sleeps::add, null, null)) {
      ExecutorService threads = Executors.newCachedThreadPool();
      Op op = new Op("pull blob", proxy.hostPort(), "ranged/app", big.digest(), false);
      URI uri = transport.uri(proxy.hostPort(), "ranged/app", "/blobs/" + digest);
      Response first = BlobDownload.get(transport, op, uri, "bytes=0-" + (PART - 1));
      int connections = 4;
      try (RangedBlob blob = new RangedBlob(transport, op, bigBytes.length, connections, PART, threads, first.body(),
          uri, uri, at -> {
            throw new AssertionError("no fall back expected");
          }, () -> { })) {
        assertThat(blob.read()).isEqualTo(bigBytes[0] & 0xff);
        // Part 0 (one page) is with the reader; the window is the next connections + 1 parts.
        int window = connections + 1;
        waitFor(() -> blob.bufferedBytes() == (long) window * PART);

        assertThat(blob.partsStarted()).isEqualTo(1 + window);
        assertThat(proxy.count("GET", blobPath())).isEqualTo(1 + window);
        assertThat(blob.mostAllocatedPages()).isLessThanOrEqualTo(blob.pageBound());

        byte[] rest = blob.readAllBytes();
        assertThat(rest).isEqualTo(Arrays.copyOfRange(bigBytes, 1, bigBytes.length));
        assertThat(blob.mostAllocatedPages()).isLessThanOrEqualTo(blob.pageBound());
      } finally {
        threads.shutdownNow();
      }
    }
  }

  @Test
  void byDefaultALargeBlobStartsAsOnePlainStream() throws Exception {
    client.close();
    // Parts larger than the blob: it can never be past its first part, so it stays on this connection whatever
    // the machine's speed (when it would turn ranged is BlobDownloadTest's).
    client = builder(4).rangedFromStart(false).partSize(bigBytes.length + 1).build();

    assertThat(readBlob()).isEqualTo(bigBytes);
    assertThat(ranges()).containsExactly((String) null);
  }

  @Test
  void aPlainStreamThatKeepsTheReaderWaitingTurnsRangedFromTheEndOfItsPart() throws Exception {
    // The plain GET (no Range) stalls 300 ms a little past the first part.
    proxy.stallAfterBytes("GET", blobPath(), PART + 1000, Duration.ofMillis(300), 1);
    client.close();
    client = builder(4).rangedFromStart(false).build();

    assertThat(readBlob()).isEqualTo(bigBytes);

    List<String> ranges = ranges();
    assertThat(ranges.get(0)).isNull();
    // The plain stream delivered its first part and the one it was in when it turned ranged (where its reads
    // end depends on their sizes); every part from the next one on came as one range.
    List<String> parts = partRanges();
    int firstRanged = parts.indexOf(ranges.subList(1, ranges.size()).stream()
        .min(java.util.Comparator.comparingLong(r -> Long.parseLong(r.substring(6, r.indexOf('-'))))).orElseThrow());
    assertThat(firstRanged).isGreaterThanOrEqualTo(2);
    assertThat(ranges.subList(1, ranges.size())).containsExactlyInAnyOrderElementsOf(
        parts.subList(firstRanged, parts.size()));
    waitFor(() -> client.rangedDownloadsOpen() == 0);
  }

  @Test
  void partsRefusedAfterTurningRangedFallBackToOneConnectionWithoutLosingOrRepeatingBytes() throws Exception {
    proxy.stallAfterBytes("GET", blobPath(), PART + 1000, Duration.ofMillis(300), 1);
    FaultProxy.Rule ignored = proxy.ignoreRange("GET", blobPath(), 100).onRange("^bytes=\\d+-\\d+$");
    List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    client.close();
    client = builder(4).rangedFromStart(false).warnings(warnings::add).build();

    assertThat(readBlob()).isEqualTo(bigBytes);

    assertThat(ignored.fired()).isPositive();
    assertThat(ranges().get(0)).isNull();
    assertThat(ranges()).anyMatch(r -> r != null && r.matches("bytes=\\d+-")); // the rest, from the reader
    assertThat(warnings).singleElement().asString().contains("did not serve a part of a blob as asked");
    waitFor(() -> client.rangedDownloadsOpen() == 0);
  }

  /** A ranged stream of the big blob with {@code connections}, straight from the proxy. */
  private RangedBlob rangedBlob(Transport transport, ExecutorService threads, int connections) throws Exception {
    Op op = new Op("pull blob", proxy.hostPort(), "ranged/app", big.digest(), false);
    URI uri = transport.uri(proxy.hostPort(), "ranged/app", "/blobs/" + digest);
    Response first = BlobDownload.get(transport, op, uri, "bytes=0-" + (PART - 1));
    return new RangedBlob(transport, op, bigBytes.length, connections, PART, threads, first.body(), uri, uri, at -> {
      throw new AssertionError("no fall back expected");
    }, () -> { });
  }

  @Test
  void aConnectionThatKeepsAheadOfTheReaderStaysAlone() throws Exception {
    try (Transport transport = new Transport(null, RetryPolicy.defaults(), true, Duration.ofSeconds(10),
        Deadline.none(), sleeps::add, null, null)) {
      ExecutorService threads = Executors.newCachedThreadPool();
      try (RangedBlob blob = rangedBlob(transport, threads, 4)) {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        got.write(blob.read());
        // A reader slower than the download: it reads the rest of a part only once it has arrived.
        while (got.size() < bigBytes.length) {
          long partEnd = Math.min(bigBytes.length, ((long) got.size() / PART + 1) * PART);
          int want = (int) (partEnd - got.size());
          waitFor(() -> blob.bufferedBytes() >= want);
          got.write(blob.readNBytes(want));
        }

        assertThat(got.toByteArray()).isEqualTo(bigBytes);
        assertThat(blob.workersStarted()).isEqualTo(1);
      } finally {
        threads.shutdownNow();
      }
    }
  }

  @Test
  void aReaderThatWaitsForBytesGetsMoreConnectionsUpToTheMost() throws Exception {
    // Every part after the first answers late: the reader waits at each part.
    proxy.delay("GET", blobPath(), Duration.ofMillis(150), 1000).onRange("^bytes=(?!0-)");
    try (Transport transport = new Transport(null, RetryPolicy.defaults(), true, Duration.ofSeconds(10),
        Deadline.none(), sleeps::add, null, null)) {
      ExecutorService threads = Executors.newCachedThreadPool();
      try (RangedBlob blob = rangedBlob(transport, threads, 4)) {
        assertThat(blob.workersStarted()).isEqualTo(1);

        assertThat(blob.readAllBytes()).isEqualTo(bigBytes);
        assertThat(blob.workersStarted()).isEqualTo(4);
      } finally {
        threads.shutdownNow();
      }
    }
  }

  @Test
  void blobsBeyondTheParallelDownloadsAllowedAtOnceAreReadAsOneStream() throws Exception {
    client.close();
    client = builder(4).maxRangedDownloads(1).build();
    String firstPart = "bytes=0-" + (PART - 1);

    try (InputStream a = client.openBlob(proxy.hostPort(), "ranged/app", digest, big.size())) {
      try (InputStream b = client.openBlob(proxy.hostPort(), "ranged/app", digest, big.size())) {
        assertThat(b.readAllBytes()).isEqualTo(bigBytes);
      }
      assertThat(a.readAllBytes()).isEqualTo(bigBytes);
    }
    assertThat(ranges()).containsOnlyOnce((String) null).containsOnlyOnce(firstPart);

    // Closing the first gives its slot back (once its read-ahead thread has closed it).
    waitFor(() -> client.rangedDownloadsOpen() == 0);
    assertThat(readBlob()).isEqualTo(bigBytes);
    assertThat(ranges().stream().filter(firstPart::equals)).hasSize(2);
  }

  @Test
  void contentRangeMustBeExactlyThePart() {
    assertThat(RangedBlob.isRange("bytes 10-19/100", 10, 19, 100)).isTrue();
    assertThat(RangedBlob.isRange(" bytes 10-19/100 ", 10, 19, 100)).isTrue();
    assertThat(RangedBlob.isRange("bytes 10-19/*", 10, 19, 100)).isFalse();
    assertThat(RangedBlob.isRange("bytes 10-29/100", 10, 19, 100)).isFalse();
    assertThat(RangedBlob.isRange("bytes 0-19/100", 10, 19, 100)).isFalse();
    assertThat(RangedBlob.isRange("bytes 10-19/101", 10, 19, 100)).isFalse();
    assertThat(RangedBlob.isRange("items 10-19/100", 10, 19, 100)).isFalse();
    assertThat(RangedBlob.isRange("", 10, 19, 100)).isFalse();
  }

  private static List<Thread> partThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("registry-blob-part"))
        .toList();
  }

  /** Waits for a condition the code under test reaches by itself (not a measure of speed); fails after 20 s. */
  private static void waitFor(BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not reached within 20 s");
      }
      Thread.sleep(10);
    }
  }
}
