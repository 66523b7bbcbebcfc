package dev.socibuilder.indexer.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.testing.registry.TestImages;
import dev.socibuilder.testing.registry.TestImages.LayerSpec;
import dev.socibuilder.ztoc.CompressionAlgorithm;
import dev.socibuilder.ztoc.Ztoc;
import dev.socibuilder.ztoc.ZtocBuilder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CacheEntryTest {
  static final long SPAN = 256 << 10;
  static final String TOOL = "cache entry test";

  static byte[] layer;
  static CacheKey key;
  static ZtocBuilder.Result built;

  @BeforeAll
  static void buildAZtoc() throws IOException {
    layer = gzip(TestImages.tar(LayerSpec.incompressible(1 << 20, 3)));
    key = new CacheKey(Digest.sha256Of(layer), SPAN, TOOL, CompressionAlgorithm.GZIP, ZoneOffset.UTC);
    built = build(layer, SPAN, TOOL, CompressionAlgorithm.GZIP);
  }

  static ZtocBuilder.Result build(byte[] layer, long span, String tool, CompressionAlgorithm c) throws IOException {
    return ZtocBuilder.of(span, tool, ZoneOffset.UTC).build(new ByteArrayInputStream(layer), c);
  }

  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static CacheEntry good() {
    return CacheEntry.of(key, built.bytes(), built.ztocDigest());
  }

  @Test
  void encodedEntryIsAHeaderLineAJsonLineAndTheZtoc() {
    byte[] stored = good().pushedTo("127.0.0.1:5000", "team/app").encode();

    String head = new String(stored, 0, 300, StandardCharsets.ISO_8859_1);
    assertThat(head).startsWith("soci-ztoc-cache/1\n{\"key\":\"" + key.id() + "\",\"ztocDigest\":\""
        + built.ztocDigest() + "\",\"ztocSize\":" + built.bytes().length
        + ",\"registry\":\"127.0.0.1:5000\",\"repository\":\"team/app\"}\n");
    assertThat(Arrays.copyOfRange(stored, stored.length - built.bytes().length, stored.length))
        .isEqualTo(built.bytes());
  }

  @Test
  void decodedEntryVerifiesAndGivesTheZtoc() {
    CacheEntry back = CacheEntry.decode(good().pushedTo("r:1", "a/b").encode());

    Ztoc z = back.verify(key, layer.length);

    assertThat(back.ztoc()).isEqualTo(built.bytes());
    assertThat(back.ztocDigest()).isEqualTo(built.ztocDigest());
    assertThat(back.registry()).isEqualTo("r:1");
    assertThat(back.repository()).isEqualTo("a/b");
    assertThat(z).isEqualTo(built.ztoc());
  }

  @Test
  void entryWithoutPushLocationDecodesWithNulls() {
    CacheEntry back = CacheEntry.decode(good().encode());

    assertThat(back.registry()).isNull();
    assertThat(back.repository()).isNull();
  }

  @Test
  void truncatedEntryIsBad() {
    byte[] stored = good().encode();

    assertThatThrownBy(() -> CacheEntry.decode(Arrays.copyOf(stored, stored.length - 1)))
        .isInstanceOf(BadCacheEntryException.class).hasMessageContaining("truncated");
    assertThatThrownBy(() -> CacheEntry.decode(Arrays.copyOf(stored, 30)))
        .isInstanceOf(BadCacheEntryException.class).hasMessageContaining("not terminated");
    assertThatThrownBy(() -> CacheEntry.decode(new byte[0]))
        .isInstanceOf(BadCacheEntryException.class).hasMessageContaining("not a zTOC cache entry");
  }

  @Test
  void corruptedZtocByteFailsTheDigestCheck() {
    byte[] stored = good().encode();
    stored[stored.length - 100] ^= 1;

    CacheEntry back = CacheEntry.decode(stored);

    assertThatThrownBy(() -> back.verify(key, layer.length))
        .isInstanceOf(BadCacheEntryException.class).hasMessageContaining("digest");
  }

  @Test
  void bytesThatAreNotAZtocFailEvenWithTheirOwnDigest() {
    byte[] junk = "not a flatbuffer at all".getBytes(StandardCharsets.UTF_8);
    CacheEntry e = CacheEntry.of(key, junk, Digest.sha256Of(junk));

    assertThatThrownBy(() -> CacheEntry.decode(e.encode()).verify(key, layer.length))
        .isInstanceOf(BadCacheEntryException.class).hasMessageContaining("not a valid zTOC");
  }

  @Test
  void ztocOfAnotherSpanSizeIsBad() throws IOException {
    ZtocBuilder.Result other = build(layer, SPAN * 2, TOOL, CompressionAlgorithm.GZIP);
    CacheEntry e = CacheEntry.of(key, other.bytes(), other.ztocDigest());

    assertThatThrownBy(() -> e.verify(key, layer.length))
        .isInstanceOf(BadCacheEntryException.class).hasMessageContaining("span size " + SPAN * 2);
  }

  @Test
  void ztocOfAnotherBuildToolIsBad() throws IOException {
    ZtocBuilder.Result other = build(layer, SPAN, "another tool", CompressionAlgorithm.GZIP);
    CacheEntry e = CacheEntry.of(key, other.bytes(), other.ztocDigest());

    assertThatThrownBy(() -> e.verify(key, layer.length))
        .isInstanceOf(BadCacheEntryException.class).hasMessageContaining("build tool");
  }

  @Test
  void ztocOfAnotherCompressionIsBad() throws IOException {
    byte[] tar = TestImages.tar(LayerSpec.incompressible(1 << 20, 3));
    ZtocBuilder.Result raw = build(tar, SPAN, TOOL, CompressionAlgorithm.UNCOMPRESSED);
    CacheEntry e = CacheEntry.of(key, raw.bytes(), raw.ztocDigest());

    assertThatThrownBy(() -> e.verify(key, tar.length))
        .isInstanceOf(BadCacheEntryException.class).hasMessageContaining("uncompressed");
  }

  @Test
  void ztocOfALayerOfAnotherSizeIsBad() {
    assertThatThrownBy(() -> good().verify(key, layer.length + 1))
        .isInstanceOf(BadCacheEntryException.class).hasMessageContaining("layer of " + layer.length + " bytes");
  }

  @Test
  void entryMadeForAnotherKeyIsBad() {
    CacheKey other = new CacheKey(key.layerDigest(), SPAN, TOOL, CompressionAlgorithm.GZIP,
        java.time.ZoneId.of("Asia/Tokyo"));

    assertThatThrownBy(() -> good().verify(other, layer.length))
        .isInstanceOf(BadCacheEntryException.class).hasMessageContaining("made for key " + key.id());
  }

  @Test
  void headerThatIsNotJsonOrMissesFieldsIsBad() {
    byte[] notJson = "soci-ztoc-cache/1\n{nope\n".getBytes(StandardCharsets.UTF_8);
    byte[] noSize = ("soci-ztoc-cache/1\n{\"key\":\"" + key.id() + "\",\"ztocDigest\":\"" + built.ztocDigest()
        + "\"}\n").getBytes(StandardCharsets.UTF_8);
    byte[] badDigest = ("soci-ztoc-cache/1\n{\"key\":\"" + key.id() + "\",\"ztocDigest\":\"md5:00\",\"ztocSize\":0}\n")
        .getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> CacheEntry.decode(notJson)).isInstanceOf(BadCacheEntryException.class)
        .hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> CacheEntry.decode(noSize)).isInstanceOf(BadCacheEntryException.class)
        .hasMessageContaining("no ztocSize");
    assertThatThrownBy(() -> CacheEntry.decode(badDigest)).isInstanceOf(BadCacheEntryException.class)
        .hasMessageContaining("invalid");
  }
}
