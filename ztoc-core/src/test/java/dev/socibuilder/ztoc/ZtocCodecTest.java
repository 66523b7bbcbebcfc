package dev.socibuilder.ztoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.ztoc.flatbuffers.FlatBufferReader;
import dev.socibuilder.testing.conformance.ConformanceCorpus;
import dev.socibuilder.testing.conformance.ConformanceCorpus.Case;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ZtocCodecTest {

  static Stream<Case> okCases() {
    return ConformanceCorpus.okCases().stream();
  }

  static Stream<Case> readableCases() {
    return ConformanceCorpus.okCases().stream().filter(Case::readbackOk);
  }

  static Stream<Case> unreadableCases() {
    return ConformanceCorpus.okCases().stream().filter(c -> !c.readbackOk());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("okCases")
  void reEncodingSocisZtocGivesIdenticalBytes(Case c) {
    byte[] soci = ConformanceCorpus.expectedZtoc(c);

    byte[] ours = ZtocCodec.encode(ZtocCodec.decodeUnchecked(soci));

    assertThat(ours.length).isEqualTo(soci.length);
    assertThat(Arrays.mismatch(ours, soci)).as("first differing byte").isEqualTo(-1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("okCases")
  void measuringPassPredictsTheExactSizeSoTheBufferIsNeitherGrownNorCopied(Case c) {
    byte[] soci = ConformanceCorpus.expectedZtoc(c);

    assertThat(ZtocCodec.encodedSize(ZtocCodec.decodeUnchecked(soci))).isEqualTo(soci.length);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("readableCases")
  void decodingSocisZtocGivesTheCaseFacts(Case c) {
    Ztoc z = ZtocCodec.decode(ConformanceCorpus.expectedZtoc(c));

    assertThat(z.compressionInfo().maxSpanId() + 1).isEqualTo(c.numSpans());
    assertThat(z.compressionInfo().spanDigests()).hasSize(c.numSpans());
    assertThat(z.toc()).hasSize(c.numFiles());
    assertThat(z.uncompressedArchiveSize()).isEqualTo(c.uncompressedArchiveSize());
    assertThat(z.compressedArchiveSize()).isEqualTo(c.layerSize());
    assertThat(z.compressionInfo().algorithm().sociName()).isEqualTo(c.compression());
    assertThat(z.version()).isEqualTo("0.9");
    assertThat(new String(z.buildToolIdentifier(), StandardCharsets.UTF_8))
        .isEqualTo(c.buildTool());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unreadableCases")
  void decodeRejectsZtocsThatSocisUnmarshalRejects(Case c) {
    byte[] soci = ConformanceCorpus.expectedZtoc(c);

    assertThatThrownBy(() -> ZtocCodec.decode(soci))
        .isInstanceOf(InvalidZtocException.class)
        .hasMessageContaining("invalid toc entry");
  }

  @Test
  void encodeOfAModelBuiltByHandEqualsSocisBytes() {
    // The model a builder would produce for the "uncompressed-exact-multiple" case, assembled from
    // decoded parts into fresh objects (arrays copied), must still encode to soci's bytes.
    Case c = ConformanceCorpus.named("uncompressed-exact-multiple");
    Ztoc decoded = ZtocCodec.decode(ConformanceCorpus.expectedZtoc(c));
    List<FileMetadata> toc = new ArrayList<>();
    for (FileMetadata f : decoded.toc()) {
      toc.add(
          new FileMetadata(f.name().clone(), f.type(), f.uncompressedOffset(),
              f.uncompressedSize(), f.linkname().clone(), f.mode(), f.uid(), f.gid(),
              f.uname().clone(), f.gname().clone(), f.modTime().clone(), f.devMajor(),
              f.devMinor(), new ArrayList<>(f.xattrs())));
    }
    TarZinfo zinfo = TarZinfo.of(16384, c.layerSize());
    Ztoc z =
        new Ztoc("0.9", "AWS SOCI CLI v0.2".getBytes(StandardCharsets.UTF_8),
            c.layerSize(), c.uncompressedArchiveSize(), toc,
            new CompressionInfo(CompressionAlgorithm.UNCOMPRESSED, zinfo.spanCount() - 1,
                decoded.compressionInfo().spanDigests(), zinfo.encode()));

    assertThat(z).isEqualTo(decoded);
    assertThat(ZtocCodec.encode(z)).isEqualTo(ConformanceCorpus.expectedZtoc(c));
  }

  @Test
  void xattrsAreWrittenInBytewiseKeyOrderWhateverTheModelOrder() {
    Ztoc z = ZtocCodec.decode(ConformanceCorpus.expectedZtoc(ConformanceCorpus.named("tar-pax-records")));
    FileMetadata withPax =
        z.toc().stream().filter(f -> f.xattrs().size() >= 2).findFirst().orElseThrow();
    List<Xattr> reversed = new ArrayList<>(withPax.xattrs());
    java.util.Collections.reverse(reversed);
    List<FileMetadata> toc = new ArrayList<>(z.toc());
    toc.set(toc.indexOf(withPax), withXattrs(withPax, reversed));

    byte[] bytes = ZtocCodec.encode(withToc(z, toc));

    assertThat(bytes).isEqualTo(ConformanceCorpus.expectedZtoc(ConformanceCorpus.named("tar-pax-records")));
  }

  @Test
  void smallestGzipZtocHasTheDocumentedLayout() {
    // soci-format.md §2.3: Ztoc vtable 16 bytes (6 fields), CompressionInfo vtable 12 bytes with
    // ids 0 and 1 absent for gzip with one span, FileMetadata vtable 32 bytes; the file ends with
    // the first string written, "0.9".
    byte[] b = ConformanceCorpus.expectedZtoc(ConformanceCorpus.named("tar-v7"));
    FlatBufferReader r = new FlatBufferReader(b);
    int root = r.rootTable();
    int rootVtable = root - r.readInt(root);
    assertThat(r.readUnsignedShort(rootVtable)).isEqualTo(16);
    int ci = r.refField(root, 5);
    int ciVtable = ci - r.readInt(ci);
    assertThat(r.readUnsignedShort(ciVtable)).isEqualTo(12);
    assertThat(r.fieldOffset(ci, 0)).isZero();
    assertThat(r.fieldOffset(ci, 1)).isZero();
    int toc = r.refField(root, 4);
    int first = r.vectorRef(r.refField(toc, 0), 0);
    assertThat(r.readUnsignedShort(first - r.readInt(first))).isEqualTo(32);
    assertThat(Arrays.copyOfRange(b, b.length - 8, b.length))
        .containsExactly(3, 0, 0, 0, '0', '.', '9', 0);
  }

  // ---- validation (soci-format.md §7) ----

  private static Ztoc gzipSample() {
    return ZtocCodec.decode(ConformanceCorpus.expectedZtoc(ConformanceCorpus.named("gz-py-l9"))); // 2 spans, 19 files
  }

  private static Ztoc tarSample() {
    return ZtocCodec.decode(ConformanceCorpus.expectedZtoc(ConformanceCorpus.named("uncompressed-exact-multiple"))); // 10 spans
  }

  @Test
  void rejectsACheckpointsBlobOfTheWrongLength() {
    Ztoc z = gzipSample();
    byte[] blob = z.compressionInfo().checkpoints();
    Ztoc bad = withCheckpoints(z, Arrays.copyOf(blob, blob.length - 1));

    assertThatThrownBy(() -> ZtocCodec.decode(ZtocCodec.encode(bad)))
        .isInstanceOf(InvalidZtocException.class)
        .hasMessageContaining("cannot convert blob to gzip_zinfo");
  }

  @Test
  void rejectsEmptyCheckpoints() {
    Ztoc bad = withCheckpoints(gzipSample(), new byte[0]);

    assertThatThrownBy(() -> ZtocCodec.decode(ZtocCodec.encode(bad)))
        .isInstanceOf(InvalidZtocException.class)
        .hasMessageContaining("empty checkpoints");
  }

  @Test
  void rejectsAMaxSpanIdThatDoesNotMatchTheCheckpoints() {
    Ztoc z = gzipSample();
    CompressionInfo ci = z.compressionInfo();
    Ztoc bad =
        withInfo(z, new CompressionInfo(ci.algorithm(), 0, ci.spanDigests(), ci.checkpoints()));

    assertThatThrownBy(() -> ZtocCodec.decode(ZtocCodec.encode(bad)))
        .isInstanceOf(InvalidZtocException.class)
        .hasMessageContaining("max span id");
  }

  @Test
  void rejectsASpanDigestCountThatDoesNotMatchTheCheckpoints() {
    Ztoc z = gzipSample();
    CompressionInfo ci = z.compressionInfo();
    Ztoc bad =
        withInfo(z, new CompressionInfo(ci.algorithm(), ci.maxSpanId(),
            ci.spanDigests().subList(0, 1), ci.checkpoints()));

    assertThatThrownBy(() -> ZtocCodec.decode(ZtocCodec.encode(bad)))
        .isInstanceOf(InvalidZtocException.class)
        .hasMessageContaining("span digests");
  }

  @Test
  void rejectsAnUncompressedZtocWhoseSpanCountDisagreesWithItsTarZinfo() {
    Ztoc z = tarSample();
    CompressionInfo ci = z.compressionInfo();
    byte[] otherSpan = TarZinfo.of(4096, TarZinfo.parse(ci.checkpoints()).size()).encode();
    Ztoc bad = withCheckpoints(z, otherSpan);

    assertThatThrownBy(() -> ZtocCodec.decode(ZtocCodec.encode(bad)))
        .isInstanceOf(InvalidZtocException.class)
        .hasMessageContaining("max span id");
  }

  @Test
  void rejectsATarZinfoWithAZeroSpanSize() {
    Ztoc bad = withCheckpoints(tarSample(), TarZinfo.encode(2, 0, 5000));

    assertThatThrownBy(() -> ZtocCodec.decode(ZtocCodec.encode(bad)))
        .isInstanceOf(InvalidZtocException.class)
        .hasMessageContaining("tar zinfo");
  }

  @Test
  void rejectsOverlappingTocEntries() {
    Ztoc z = gzipSample();
    List<FileMetadata> toc = new ArrayList<>(z.toc());
    FileMetadata f = toc.get(5);
    assertThat(f.uncompressedSize()).isPositive();
    // The next entry's data must start at or after align512(offset + size); start it inside f.
    toc.set(6, withOffset(toc.get(6), f.uncompressedOffset() + f.uncompressedSize() - 1));

    assertThatThrownBy(() -> ZtocCodec.decode(ZtocCodec.encode(withToc(z, toc))))
        .isInstanceOf(InvalidZtocException.class)
        .hasMessageContaining("invalid toc entry");
  }

  @Test
  void rejectsAFirstEntryStartingBeforeOffsetZero() {
    Ztoc z = gzipSample();
    List<FileMetadata> toc = new ArrayList<>(z.toc());
    toc.set(0, withOffset(toc.get(0), -1));

    assertThatThrownBy(() -> ZtocCodec.decode(ZtocCodec.encode(withToc(z, toc))))
        .isInstanceOf(InvalidZtocException.class)
        .hasMessageContaining("invalid toc entry");
  }

  @Test
  void rejectsUnsortedEntriesThatOverlapOnceSorted() {
    Ztoc z = gzipSample();
    List<FileMetadata> toc = new ArrayList<>(z.toc());
    // Move a file with data to the front and make the (now second) first entry start inside it.
    FileMetadata big = toc.remove(5);
    toc.add(0, big);
    toc.set(1, withOffset(toc.get(1), big.uncompressedOffset() + 512));

    assertThatThrownBy(() -> ZtocCodec.decode(ZtocCodec.encode(withToc(z, toc))))
        .isInstanceOf(InvalidZtocException.class)
        .hasMessageContaining("invalid toc entry");
  }

  @Test
  void acceptsUnsortedButDisjointEntriesAsSociDoesAndKeepsTheirStoredOrder() {
    // soci's Unmarshal sorts the TOC by offset before checking it, so order alone is not an error.
    Ztoc z = gzipSample();
    List<FileMetadata> toc = new ArrayList<>(z.toc());
    java.util.Collections.reverse(toc);
    byte[] bytes = ZtocCodec.encode(withToc(z, toc));

    Ztoc decoded = ZtocCodec.decode(bytes);

    assertThat(decoded.toc()).isEqualTo(toc);
    assertThat(ZtocCodec.encode(decoded)).isEqualTo(bytes);
  }

  @Test
  void rejectsAnUnknownCompressionAlgorithm() {
    byte[] b = ConformanceCorpus.expectedZtoc(ConformanceCorpus.named("uncompressed-exact-multiple")).clone();
    FlatBufferReader r = new FlatBufferReader(b);
    int ci = r.refField(r.rootTable(), 5);
    int algorithm = r.fieldPosition(ci, 0);
    assertThat(b[algorithm]).isEqualTo((byte) 2);
    b[algorithm] = 3;

    assertThatThrownBy(() -> ZtocCodec.decode(b))
        .isInstanceOf(InvalidZtocException.class)
        .hasMessageContaining("unexpected compression algorithm");
    b[algorithm] = 0;
    assertThatThrownBy(() -> ZtocCodec.decode(b)).isInstanceOf(InvalidZtocException.class);
  }

  @Test
  void rejectsAMalformedSpanDigest() {
    byte[] b = ConformanceCorpus.expectedZtoc(ConformanceCorpus.named("uncompressed-exact-multiple")).clone();
    int at = indexOf(b, "sha256:".getBytes(StandardCharsets.US_ASCII));
    b[at + 7] = 'X';

    assertThatThrownBy(() -> ZtocCodec.decode(b))
        .isInstanceOf(InvalidZtocException.class)
        .hasMessageContaining("span digest");
  }

  @Test
  void rejectsEmptyAndTinyInputs() {
    for (int n = 0; n < 8; n++) {
      byte[] b = new byte[n];
      assertThatThrownBy(() -> ZtocCodec.decode(b)).isInstanceOf(InvalidZtocException.class);
    }
  }

  @Test
  void truncatedZtocsFailOnlyWithInvalidZtocException() {
    byte[] b = ConformanceCorpus.expectedZtoc(ConformanceCorpus.named("uncompressed-exact-multiple-default-span"));
    // The last byte is the NUL after "0.9", which no reader checks (Go does not either).
    for (int n = 0; n < b.length - 1; n++) {
      byte[] cut = Arrays.copyOf(b, n);
      assertThatThrownBy(() -> ZtocCodec.decode(cut))
          .as("truncated to %d bytes", n)
          .isInstanceOf(InvalidZtocException.class);
    }
  }

  @Test
  void corruptedAndRandomBytesFailOnlyWithInvalidZtocException() {
    Random random = new Random(42);
    byte[] good = ConformanceCorpus.expectedZtoc(ConformanceCorpus.named("uncompressed-pax"));
    for (int round = 0; round < 3000; round++) {
      byte[] b = good.clone();
      int flips = 1 + random.nextInt(4);
      for (int k = 0; k < flips; k++) {
        b[random.nextInt(b.length)] = (byte) random.nextInt(256);
      }
      decodeExpectingOnlyInvalidZtoc(b);
    }
    for (int round = 0; round < 1000; round++) {
      byte[] b = new byte[random.nextInt(400)];
      random.nextBytes(b);
      decodeExpectingOnlyInvalidZtoc(b);
    }
  }

  private static void decodeExpectingOnlyInvalidZtoc(byte[] b) {
    try {
      Ztoc z = ZtocCodec.decode(b);
      ZtocInfo.toJson(z, b.length); // a decoded zTOC must also be describable
    } catch (InvalidZtocException expected) {
      // fine
    }
  }

  // ---- helpers ----

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }

  static Ztoc withToc(Ztoc z, List<FileMetadata> toc) {
    return new Ztoc(z.version(), z.buildToolIdentifier(), z.compressedArchiveSize(),
        z.uncompressedArchiveSize(), toc, z.compressionInfo());
  }

  static Ztoc withInfo(Ztoc z, CompressionInfo ci) {
    return new Ztoc(z.version(), z.buildToolIdentifier(), z.compressedArchiveSize(),
        z.uncompressedArchiveSize(), z.toc(), ci);
  }

  static Ztoc withCheckpoints(Ztoc z, byte[] checkpoints) {
    CompressionInfo ci = z.compressionInfo();
    return withInfo(z, new CompressionInfo(ci.algorithm(), ci.maxSpanId(), ci.spanDigests(),
        checkpoints));
  }

  static FileMetadata withOffset(FileMetadata f, long offset) {
    return new FileMetadata(f.name(), f.type(), offset, f.uncompressedSize(), f.linkname(),
        f.mode(), f.uid(), f.gid(), f.uname(), f.gname(), f.modTime(), f.devMajor(), f.devMinor(),
        f.xattrs());
  }

  static FileMetadata withXattrs(FileMetadata f, List<Xattr> xattrs) {
    return new FileMetadata(f.name(), f.type(), f.uncompressedOffset(), f.uncompressedSize(),
        f.linkname(), f.mode(), f.uid(), f.gid(), f.uname(), f.gname(), f.modTime(), f.devMajor(),
        f.devMinor(), xattrs);
  }
}
