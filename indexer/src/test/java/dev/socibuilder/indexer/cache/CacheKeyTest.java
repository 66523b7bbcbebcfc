package dev.socibuilder.indexer.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.ztoc.CompressionAlgorithm;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class CacheKeyTest {
  static final Digest LAYER = Digest.sha256Of("layer".getBytes(StandardCharsets.UTF_8));

  static CacheKey key(long span, String tool, CompressionAlgorithm c, ZoneId zone) {
    return new CacheKey(LAYER, span, tool, c, zone);
  }

  @Test
  void canonicalTextNamesEveryPartInAFixedOrder() {
    CacheKey k = key(4194304, "AWS SOCI CLI v0.2", CompressionAlgorithm.GZIP, ZoneOffset.UTC);

    assertThat(k.canonical()).isEqualTo(
        "[\"soci-ztoc-cache/1\",\"" + LAYER + "\",4194304,\"AWS SOCI CLI v0.2\",\"gzip\",\"Z\"]");
    assertThat(k.id()).isEqualTo(Digest.sha256Of(k.canonical().getBytes(StandardCharsets.UTF_8)).hex())
        .matches("[0-9a-f]{64}");
  }

  @Test
  void everyPartChangesTheId() {
    List<CacheKey> keys = List.of(
        key(4194304, "tool", CompressionAlgorithm.GZIP, ZoneOffset.UTC),
        new CacheKey(Digest.sha256Of(new byte[1]), 4194304, "tool", CompressionAlgorithm.GZIP, ZoneOffset.UTC),
        key(1048576, "tool", CompressionAlgorithm.GZIP, ZoneOffset.UTC),
        key(4194304, "tool v2", CompressionAlgorithm.GZIP, ZoneOffset.UTC),
        key(4194304, "tool", CompressionAlgorithm.UNCOMPRESSED, ZoneOffset.UTC),
        key(4194304, "tool", CompressionAlgorithm.GZIP, ZoneId.of("Europe/Paris")));

    Set<String> ids = keys.stream().map(CacheKey::id).collect(Collectors.toSet());

    assertThat(ids).hasSize(keys.size());
  }

  @Test
  void zonesWithTheSameFixedOffsetAreOneKey() {
    assertThat(key(1, "t", CompressionAlgorithm.GZIP, ZoneId.of("UTC")).id())
        .isEqualTo(key(1, "t", CompressionAlgorithm.GZIP, ZoneOffset.UTC).id())
        .isEqualTo(key(1, "t", CompressionAlgorithm.GZIP, ZoneId.of("Etc/UTC")).id());
  }

  @Test
  void buildToolTextCannotForgeAnotherKey() {
    // A tool id holding the separator and the next field must not equal the key with those fields.
    CacheKey forged = key(1, "t\",\"gzip", CompressionAlgorithm.UNCOMPRESSED, ZoneOffset.UTC);
    CacheKey real = key(1, "t", CompressionAlgorithm.GZIP, ZoneOffset.UTC);

    assertThat(forged.canonical()).contains("\"t\\\",\\\"gzip\"");
    assertThat(forged.id()).isNotEqualTo(real.id());
  }

  @Test
  void nonPositiveSpanIsRefused() {
    assertThatThrownBy(() -> key(0, "t", CompressionAlgorithm.GZIP, ZoneOffset.UTC))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("span size");
  }
}
