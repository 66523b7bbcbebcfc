package dev.socibuilder.indexer.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.indexer.IndexOptions;
import dev.socibuilder.indexer.IndexReport;
import dev.socibuilder.indexer.IndexReport.Outcome;
import dev.socibuilder.indexer.IndexingException;
import dev.socibuilder.indexer.IndexingService;
import dev.socibuilder.indexer.ZtocChecks;
import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.oci.ImageIndex;
import dev.socibuilder.oci.ImageManifest;
import dev.socibuilder.oci.MediaTypes;
import dev.socibuilder.oci.Platform;
import dev.socibuilder.soci.SociIndex;
import dev.socibuilder.testing.registry.TestImages;
import dev.socibuilder.testing.registry.TestImages.LayerSpec;
import dev.socibuilder.testing.registry.TestImages.TestImage;
import dev.socibuilder.ztoc.CompressionAlgorithm;
import dev.socibuilder.ztoc.FileExtractor;
import dev.socibuilder.ztoc.FileMetadata;
import dev.socibuilder.ztoc.Ztoc;
import dev.socibuilder.ztoc.ZtocCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OCI image layout in, SOCI artifacts written back into the same layout: the indexing service with a
 * {@link LayoutImageStore}, no registry involved. Every zTOC is checked by extracting the layer's
 * files through it.
 */
class LayoutImageStoreTest {
  static final long MIB = 1 << 20;
  static final String TOOL = "soci-index-builder test";

  @TempDir
  static Path templates;

  @TempDir
  Path tmp;

  static TestImage single;
  static TestImage multi;

  @BeforeAll
  static void writeImages() {
    LayerSpec big = LayerSpec.incompressible(4 * MIB, 21);
    LayerSpec small = LayerSpec.compressible(1024, 22);
    single = TestImages.singlePlatform(templates.resolve("single"), "v1", big, small);
    Map<TestImages.Platform, List<LayerSpec>> platforms = new LinkedHashMap<>();
    platforms.put(TestImages.Platform.linux("amd64"), List.of(big, small));
    platforms.put(new TestImages.Platform("linux", "arm64", "v8"), List.of(LayerSpec.incompressible(2 * MIB, 23)));
    multi = TestImages.multiPlatform(templates.resolve("multi"), "v1", platforms);
  }

  static IndexOptions options() {
    return IndexOptions.defaults(TOOL).withMinLayerSize(MIB).withSpanSize(MIB).withParallelism(2);
  }

  /** A private copy of a template layout. */
  Path copy(TestImage image) {
    Path target = tmp.resolve(image.layout().getFileName());
    try (Stream<Path> paths = Files.walk(image.layout())) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path to = target.resolve(image.layout().relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return target;
  }

  static IndexReport index(Path layout, String tag, Digest digest, IndexOptions options) {
    return new IndexingService(options, null).index(new LayoutImageStore(OciLayout.open(layout)), tag, digest);
  }

  @Test
  void v2WritesTheSociEnabledImageUnderTheSociTagAndKeepsTheSourceTag() {
    Path dir = copy(single);

    IndexReport report = index(dir, "v1", null, options());

    assertThat(report.outcome()).isEqualTo(Outcome.INDEXED);
    assertThat(report.tag()).isEqualTo("v1-soci");
    OciLayout layout = OciLayout.open(dir);
    assertThat(layout.tags()).containsExactly("v1", "v1-soci");
    assertThat(layout.resolve("v1").digest()).isEqualTo(single.digest().toString());
    Descriptor top = layout.resolve("v1-soci");
    assertThat(top.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
    assertThat(top.digest()).isEqualTo(report.imageIndexDigest());
    byte[] indexBytes = layout.readBlob(top.parsedDigest());
    assertThat(Digest.sha256Of(indexBytes)).isEqualTo(top.parsedDigest());
    ImageIndex idx = ImageIndex.parse(indexBytes);
    assertThat(idx.manifestList()).hasSize(2);
    Descriptor image = idx.manifestList().get(0);
    Descriptor soci = idx.manifestList().get(1);
    assertThat(image.platform()).isEqualTo(Platform.of("linux", "amd64"));
    assertThat(soci.platform()).isEqualTo(Platform.of("linux", "amd64"));
    assertThat(soci.artifactType()).isEqualTo(MediaTypes.SOCI_INDEX_V2);
    assertThat(soci.annotation(SociIndex.ANNOTATION_IMAGE_MANIFEST_DIGEST)).isEqualTo(image.digest());
    assertThat(image.annotation(SociIndex.ANNOTATION_INDEX_DIGEST)).isEqualTo(soci.digest());

    ImageManifest rewritten = ImageManifest.parse(layout.readBlob(image.parsedDigest()));
    ImageManifest source = ImageManifest.parse(layout.readBlob(Digest.parse(single.digest())));
    assertThat(rewritten.layers()).isEqualTo(source.layers());
    assertThat(rewritten.config()).isEqualTo(source.config());
    assertThat(rewritten.annotations()).containsEntry(SociIndex.ANNOTATION_INDEX_DIGEST, soci.digest());

    byte[] sociBytes = layout.readBlob(soci.parsedDigest());
    assertThat(sociBytes.length).isEqualTo(soci.size());
    assertThat(SociIndex.survivesSnapshotterRoundTrip(sociBytes)).isTrue();
    ImageManifest sociIndex = ImageManifest.parse(sociBytes);
    assertThat(sociIndex.config().mediaType()).isEqualTo(MediaTypes.SOCI_INDEX_V2);
    assertThat(layout.hasBlob(sociIndex.config().parsedDigest())).isTrue();
    assertZtocsExtract(layout, sociIndex, source, 1);
  }

  @Test
  void v2MultiPlatformLayoutGetsOneSociIndexPerPlatform() {
    Path dir = copy(multi);

    IndexReport report = index(dir, "v1", null, options());

    assertThat(report.outcome()).isEqualTo(Outcome.INDEXED);
    OciLayout layout = OciLayout.open(dir);
    ImageIndex idx = ImageIndex.parse(layout.readBlob(layout.resolve("v1-soci").parsedDigest()));
    assertThat(idx.manifestList()).extracting(Descriptor::artifactType)
        .containsExactly("", "", MediaTypes.SOCI_INDEX_V2, MediaTypes.SOCI_INDEX_V2);
    for (int i = 0; i < 2; i++) {
      Descriptor image = idx.manifestList().get(i);
      Descriptor soci = idx.manifestList().get(2 + i);
      assertThat(soci.platform()).isEqualTo(image.platform());
      assertThat(soci.annotation(SociIndex.ANNOTATION_IMAGE_MANIFEST_DIGEST)).isEqualTo(image.digest());
      ImageManifest source = ImageManifest.parse(layout.readBlob(Digest.parse(multi.manifests().get(i).digest())));
      ImageManifest sociIndex = ImageManifest.parse(layout.readBlob(soci.parsedDigest()));
      assertZtocsExtract(layout, sociIndex, source, 1);
    }
  }

  @Test
  void indexEntriesWithoutPlatformAreImagesOfTheirConfigsPlatformAndArtifactsAreSkipped() {
    Path dir = copy(multi);
    OciLayout layout = OciLayout.open(dir);
    // An artifact without platform or artifactType (its config is not an image config).
    Descriptor config = layout.writeBlob("application/vnd.example.signature.config+json", "{}".getBytes());
    Descriptor artifact = layout.writeBlob(MediaTypes.OCI_MANIFEST, new ImageManifest(2, MediaTypes.OCI_MANIFEST, "",
        config, List.of(), null, null).toJson());
    ImageIndex source = ImageIndex.parse(layout.readBlob(Digest.parse(multi.digest())));
    List<Descriptor> entries = new ArrayList<>(
        source.manifestList().stream().map(d -> d.withPlatform(null)).toList());
    entries.add(artifact);
    Descriptor noPlatforms = layout.writeBlob(MediaTypes.OCI_INDEX, source.withManifests(entries).toJson());
    layout.tag("noplat", noPlatforms);

    IndexReport report = index(dir, "noplat", null, options());

    assertThat(report.outcome()).isEqualTo(Outcome.INDEXED);
    assertThat(report.platforms()).extracting(p -> p.platform().architecture()).containsExactly("amd64", "arm64");
    ImageIndex idx = ImageIndex.parse(layout.readBlob(layout.resolve("noplat-soci").parsedDigest()));
    assertThat(idx.manifestList()).hasSize(5);
    assertThat(idx.manifestList().get(2)).as("the artifact is kept as it was").isEqualTo(artifact);
    assertThat(idx.manifestList().subList(3, 5)).extracting(d -> d.platform().architecture())
        .containsExactly("amd64", "arm64");
    for (int i = 0; i < 2; i++) {
      assertThat(idx.manifestList().get(i).annotation(SociIndex.ANNOTATION_INDEX_DIGEST))
          .isEqualTo(idx.manifestList().get(3 + i).digest());
    }
    assertThat(index(dir, "noplat", null, options()).outcome()).isEqualTo(Outcome.ALREADY_INDEXED);
    assertThat(index(dir, "noplat", null, options().withPlatforms(List.of(Platform.of("linux", "arm64"))))
        .outcome()).isEqualTo(Outcome.ALREADY_INDEXED);
  }

  @Test
  void secondRunIsAlreadyIndexedAndLeavesTheLayoutUnchanged() throws IOException {
    Path dir = copy(single);
    IndexReport first = index(dir, "v1", null, options());
    byte[] indexJson = Files.readAllBytes(dir.resolve("index.json"));
    long blobs;
    try (Stream<Path> s = Files.list(dir.resolve("blobs/sha256"))) {
      blobs = s.count();
    }

    IndexReport second = index(dir, "v1", null, options());

    assertThat(second.outcome()).isEqualTo(Outcome.ALREADY_INDEXED);
    assertThat(second.imageIndexDigest()).isEqualTo(first.imageIndexDigest());
    assertThat(Files.readAllBytes(dir.resolve("index.json"))).isEqualTo(indexJson);
    try (Stream<Path> s = Files.list(dir.resolve("blobs/sha256"))) {
      assertThat(s.count()).isEqualTo(blobs);
    }

    IndexReport forced = index(dir, "v1", null, options().withForce(true));

    assertThat(forced.outcome()).isEqualTo(Outcome.INDEXED);
    assertThat(forced.imageIndexDigest()).isEqualTo(first.imageIndexDigest());
    assertThat(OciLayout.open(dir).tags()).containsExactly("v1", "v1-soci");
  }

  @Test
  void theSociTagItselfIsASociEnabledImage() {
    Path dir = copy(single);
    index(dir, "v1", null, options());

    IndexReport again = index(dir, "v1-soci", null, options());

    assertThat(again.outcome()).isEqualTo(Outcome.SOCI_ENABLED_IMAGE);
    assertThat(OciLayout.open(dir).tags()).containsExactly("v1", "v1-soci");
  }

  @Test
  void digestReferenceWritesTheImageIndexUntaggedBlobOnly() {
    Path dir = copy(single);

    IndexReport report = index(dir, null, Digest.parse(single.digest()), options());

    assertThat(report.outcome()).isEqualTo(Outcome.INDEXED);
    assertThat(report.tag()).isNull();
    OciLayout layout = OciLayout.open(dir);
    assertThat(layout.tags()).containsExactly("v1");
    assertThat(layout.hasBlob(Digest.parse(report.imageIndexDigest()))).isTrue();
  }

  @Test
  void v1IndexIsListedUntaggedAsAReferrerOfItsSubject() {
    Path dir = copy(single);
    IndexOptions v1 = options().withVersion(SociIndex.Version.V1);

    IndexReport report = index(dir, "v1", null, v1);

    assertThat(report.outcome()).isEqualTo(Outcome.INDEXED);
    OciLayout layout = OciLayout.open(dir);
    assertThat(layout.tags()).containsExactly("v1");
    String sociDigest = report.platforms().get(0).sociIndexDigest();
    assertThat(layout.index().manifestList()).hasSize(2);
    Descriptor entry = layout.index().manifestList().get(1);
    assertThat(entry.digest()).isEqualTo(sociDigest);
    assertThat(entry.artifactType()).isEqualTo(MediaTypes.SOCI_INDEX_V1);
    assertThat(entry.annotation(OciLayout.REF_NAME)).isNull();
    byte[] sociBytes = layout.readBlob(entry.parsedDigest());
    assertThat(SociIndex.survivesSnapshotterRoundTrip(sociBytes)).isTrue();
    ImageManifest sociIndex = ImageManifest.parse(sociBytes);
    assertThat(sociIndex.subject()).isEqualTo(Descriptor.of(MediaTypes.OCI_MANIFEST, single.digest(), single.size()));
    assertThat(new LayoutImageStore(layout).referrers(Digest.parse(single.digest()), MediaTypes.SOCI_INDEX_V1).orElseThrow())
        .extracting(Descriptor::digest).containsExactly(sociDigest);
    assertZtocsExtract(layout, sociIndex, ImageManifest.parse(layout.readBlob(Digest.parse(single.digest()))), 1);

    assertThat(index(dir, "v1", null, v1).outcome()).isEqualTo(Outcome.ALREADY_INDEXED);
    assertThat(OciLayout.open(dir).index().manifestList()).hasSize(2);
  }

  @Test
  void forcedV1RunDoesNotListTheSameReferrerTwice() {
    Path dir = copy(single);
    IndexOptions v1 = options().withVersion(SociIndex.Version.V1);
    index(dir, "v1", null, v1);

    IndexReport forced = index(dir, "v1", null, v1.withForce(true));

    assertThat(forced.outcome()).isEqualTo(Outcome.INDEXED);
    assertThat(OciLayout.open(dir).index().manifestList()).extracting(Descriptor::digest)
        .containsExactly(single.digest().toString(), forced.platforms().get(0).sociIndexDigest());
  }

  @Test
  void onlySmallLayersIsNothingToIndexAndWritesNothing() throws IOException {
    Path dir = copy(single);
    byte[] indexJson = Files.readAllBytes(dir.resolve("index.json"));

    IndexReport report = index(dir, "v1", null, options().withMinLayerSize(64 * MIB));

    assertThat(report.outcome()).isEqualTo(Outcome.NOTHING_TO_INDEX);
    assertThat(report.platforms().get(0).skipped()).hasSize(2);
    assertThat(Files.readAllBytes(dir.resolve("index.json"))).isEqualTo(indexJson);
  }

  @Test
  void corruptLayerFailsWithNothingTagged() throws IOException {
    Path dir = copy(single);
    TestImages.Layer big = single.manifests().get(0).layers().get(0);
    Path blob = dir.resolve("blobs/sha256").resolve(Digest.parse(big.digest()).hex());
    byte[] bytes = Files.readAllBytes(blob);
    bytes[bytes.length / 2] ^= (byte) 0xff;
    Files.write(blob, bytes);
    byte[] indexJson = Files.readAllBytes(dir.resolve("index.json"));

    assertThatThrownBy(() -> index(dir, "v1", null, options()))
        .isInstanceOf(IndexingException.class)
        .hasMessageContaining(big.digest().toString());
    assertThat(Files.readAllBytes(dir.resolve("index.json"))).isEqualTo(indexJson);
  }

  @Test
  void unknownTagIsAnIndexingException() {
    Path dir = copy(single);

    assertThatThrownBy(() -> index(dir, "nope", null, options()))
        .isInstanceOf(IndexingException.class)
        .hasMessageContaining("nope");
  }

  @Test
  void defaultTagIsTheOnlyEntrysTag() {
    Path dir = copy(single);

    assertThat(new LayoutImageStore(OciLayout.open(dir)).defaultTag()).isEqualTo("v1");
  }

  /** Writes a linux/amd64 image of the given layers into a fresh layout under {@code tag}. */
  Path customImage(String tag, List<Descriptor> layerTypes, List<byte[]> layerBytes) {
    Path dir = tmp.resolve("custom-" + tag);
    OciLayout layout = OciLayout.create(dir);
    List<Descriptor> layers = new ArrayList<>();
    for (int i = 0; i < layerBytes.size(); i++) {
      layers.add(layout.writeBlob(layerTypes.get(i).mediaType(), layerBytes.get(i)));
    }
    Descriptor config = layout.writeBlob(MediaTypes.OCI_CONFIG,
        "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
            .getBytes(StandardCharsets.UTF_8));
    Descriptor manifest = layout.writeBlob(MediaTypes.OCI_MANIFEST,
        new ImageManifest(2, MediaTypes.OCI_MANIFEST, "", config, layers, null, null).toJson());
    layout.tag(tag, manifest);
    return dir;
  }

  static Descriptor type(String mediaType) {
    return Descriptor.of(mediaType, Digest.sha256Of(new byte[0]), 0);
  }

  @Test
  void uncompressedTarLayersAreIndexedAndExtractFromTheRawTar() throws IOException {
    byte[] tar = TestImages.tar(LayerSpec.incompressible(3 * MIB, 31));
    byte[] dockerTar = TestImages.tar(LayerSpec.incompressible(2 * MIB, 32));
    Path dir = customImage("raw", List.of(type(MediaTypes.OCI_LAYER), type(MediaTypes.DOCKER_LAYER)),
        List.of(tar, dockerTar));

    IndexReport report = index(dir, "raw", null, options());

    assertThat(report.outcome()).isEqualTo(Outcome.INDEXED);
    assertThat(report.ztocCount()).isEqualTo(2);
    OciLayout layout = OciLayout.open(dir);
    ImageIndex idx = ImageIndex.parse(layout.readBlob(layout.resolve("raw-soci").parsedDigest()));
    ImageManifest soci = ImageManifest.parse(layout.readBlob(idx.manifestList().get(1).parsedDigest()));
    assertThat(soci.layers()).extracting(d -> d.annotation(SociIndex.ANNOTATION_IMAGE_LAYER_MEDIA_TYPE))
        .containsExactly(MediaTypes.OCI_LAYER, MediaTypes.DOCKER_LAYER);
    byte[][] raws = {tar, dockerTar};
    for (int i = 0; i < 2; i++) {
      byte[] raw = raws[i];
      Ztoc z = ZtocCodec.decode(layout.readBlob(soci.layers().get(i).parsedDigest()));
      assertThat(z.compressionInfo().algorithm()).isEqualTo(CompressionAlgorithm.UNCOMPRESSED);
      assertThat(z.compressedArchiveSize()).isEqualTo(raw.length);
      // One span per started MiB of the raw tar (soci-format.md §4.6).
      assertThat(z.compressionInfo().spanDigests()).hasSize((int) ((raw.length + MIB - 1) / MIB));
      assertThat(z.compressionInfo().spanDigests().get(0))
          .isEqualTo(Digest.sha256Of(Arrays.copyOfRange(raw, 0, (int) MIB)));
      for (Map.Entry<String, byte[]> f : ZtocChecks.regularFiles(raw).entrySet()) {
        FileMetadata m = FileExtractor.find(z, f.getKey()).orElseThrow();
        byte[] got = FileExtractor.extract(z,
            offset -> new ByteArrayInputStream(raw, (int) offset, raw.length - (int) offset), m);
        assertThat(got).as(f.getKey()).isEqualTo(f.getValue());
      }
    }
  }

  @Test
  void gzipLayerThatIsNotATarFailsWithNothingWritten() throws IOException {
    byte[] noise = new byte[(int) (2 * MIB)];
    new Random(7).nextBytes(noise);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(noise);
    }
    Path dir = customImage("bad", List.of(type(MediaTypes.OCI_LAYER_GZIP)), List.of(gz.toByteArray()));
    byte[] indexJson = Files.readAllBytes(dir.resolve("index.json"));
    long blobs;
    try (Stream<Path> st = Files.list(dir.resolve("blobs/sha256"))) {
      blobs = st.count();
    }

    assertThatThrownBy(() -> index(dir, "bad", null, options()))
        .isInstanceOf(IndexingException.class)
        .hasMessageContaining(Digest.sha256Of(gz.toByteArray()).toString());

    assertThat(Files.readAllBytes(dir.resolve("index.json"))).isEqualTo(indexJson);
    try (Stream<Path> st = Files.list(dir.resolve("blobs/sha256"))) {
      assertThat(st.count()).as("no blob written").isEqualTo(blobs);
    }
  }

  @Test
  void nonLayerMediaTypeInTheLayersFailsAsSociDoes() {
    Path dir = customImage("notlayer", List.of(type(MediaTypes.OCTET_STREAM)),
        List.of(TestImages.tar(LayerSpec.incompressible(2 * MIB, 33))));

    assertThatThrownBy(() -> index(dir, "notlayer", null, options()))
        .isInstanceOf(IndexingException.class)
        .hasMessageContaining(MediaTypes.OCTET_STREAM);
  }

  private static void assertZtocsExtract(OciLayout layout, ImageManifest sociIndex, ImageManifest source,
      int expectedZtocs) {
    List<Descriptor> eligible = source.layers().stream().filter(l -> l.size() >= MIB).toList();
    assertThat(eligible).hasSize(expectedZtocs);
    assertThat(sociIndex.layers()).hasSize(expectedZtocs);
    for (int i = 0; i < expectedZtocs; i++) {
      Descriptor z = sociIndex.layers().get(i);
      Descriptor layer = eligible.get(i);
      assertThat(z.annotations()).containsExactly(
          Map.entry(SociIndex.ANNOTATION_IMAGE_LAYER_DIGEST, layer.digest()),
          Map.entry(SociIndex.ANNOTATION_IMAGE_LAYER_MEDIA_TYPE, layer.mediaType()),
          Map.entry(SociIndex.ANNOTATION_SPAN_SIZE, Long.toString(MIB)));
      byte[] ztoc = layout.readBlob(z.parsedDigest());
      assertThat(ztoc.length).isEqualTo(z.size());
      byte[] layerBytes = layout.readBlob(layer.parsedDigest());
      assertThat(ZtocChecks.assertExtractsEveryFile(ztoc, layerBytes, MIB)).isPositive();
      ZtocChecks.assertSpanDigestsMatch(ztoc, layerBytes);
    }
  }
}
