package dev.socibuilder.indexer.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.digest.Digest;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryZtocCacheTest {
  static final String ID = Digest.sha256Of("key".getBytes(StandardCharsets.UTF_8)).hex();

  @TempDir
  Path dir;

  @Test
  void missingEntryIsEmptyAndTheFolderNeedNotExist() {
    DirectoryZtocCache cache = new DirectoryZtocCache(dir.resolve("not-yet"));

    assertThat(cache.get(ID)).isEmpty();
  }

  @Test
  void storedEntryIsReadBackWithItsWriteTimeUnderItsIdPath() throws Exception {
    DirectoryZtocCache cache = new DirectoryZtocCache(dir.resolve("cache"));
    byte[] entry = "entry bytes".getBytes(StandardCharsets.UTF_8);

    cache.put(ID, entry);
    Optional<ZtocCache.Stored> got = cache.get(ID);

    assertThat(cache.path(ID)).isEqualTo(dir.resolve("cache").resolve(ID.substring(0, 2)).resolve(ID + ".entry"));
    assertThat(cache.path(ID)).hasBinaryContent(entry);
    assertThat(got).get().satisfies(s -> {
      assertThat(s.bytes()).isEqualTo(entry);
      assertThat(s.storedAt()).isEqualTo(Files.getLastModifiedTime(cache.path(ID)).toInstant());
    });
  }

  @Test
  void putReplacesAndRefreshesTheWriteTime() throws Exception {
    DirectoryZtocCache cache = new DirectoryZtocCache(dir);
    cache.put(ID, new byte[] {1});
    Files.setLastModifiedTime(cache.path(ID), FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));

    cache.put(ID, new byte[] {2, 3});

    assertThat(cache.get(ID)).get().satisfies(s -> {
      assertThat(s.bytes()).containsExactly(2, 3);
      assertThat(s.storedAt()).isAfter(Instant.parse("2024-01-01T00:00:00Z"));
    });
  }

  @Test
  void deleteRemovesTheEntryAndIgnoresAMissingOne() {
    DirectoryZtocCache cache = new DirectoryZtocCache(dir);
    cache.put(ID, new byte[] {1});

    cache.delete(ID);
    cache.delete(ID);

    assertThat(cache.get(ID)).isEmpty();
  }

  @Test
  void concurrentWritersNeverLeaveAMixedEntryAndReadersSeeWholeEntries() throws Exception {
    DirectoryZtocCache cache = new DirectoryZtocCache(dir);
    byte[] a = new byte[300_000];
    byte[] b = new byte[300_000];
    Arrays.fill(a, (byte) 'a');
    Arrays.fill(b, (byte) 'b');
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        byte[] mine = w == 0 ? a : b;
        writers.add(pool.submit(() -> {
          for (int i = 0; i < 40; i++) {
            cache.put(ID, mine);
          }
        }));
      }
      List<Future<Integer>> readers = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        readers.add(pool.submit(() -> {
          int seen = 0;
          while (writers.stream().anyMatch(f -> !f.isDone())) {
            Optional<ZtocCache.Stored> s = cache.get(ID);
            if (s.isPresent()) {
              assertThat(s.get().bytes()).satisfiesAnyOf(x -> assertThat(x).isEqualTo(a),
                  x -> assertThat(x).isEqualTo(b));
              seen++;
            }
          }
          return seen;
        }));
      }
      for (Future<?> f : writers) {
        f.get(60, TimeUnit.SECONDS);
      }
      for (Future<Integer> f : readers) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(cache.get(ID).orElseThrow().bytes()).satisfiesAnyOf(x -> assertThat(x).isEqualTo(a),
        x -> assertThat(x).isEqualTo(b));
    try (Stream<Path> files = Files.list(cache.path(ID).getParent())) {
      assertThat(files).as("no temporary file left behind").containsExactly(cache.path(ID));
    }
  }

  @Test
  void entryLargerThanTheLimitIsBadWithoutBeingRead() throws Exception {
    DirectoryZtocCache cache = new DirectoryZtocCache(dir);
    cache.put(ID, new byte[1]);
    try (RandomAccessFile f = new RandomAccessFile(cache.path(ID).toFile(), "rw")) {
      f.setLength(ZtocCache.MAX_ENTRY_BYTES + 1); // sparse: no disk used
    }

    assertThatThrownBy(() -> cache.get(ID)).isInstanceOf(BadCacheEntryException.class)
        .hasMessageContaining("more than the " + ZtocCache.MAX_ENTRY_BYTES);
  }

  @Test
  void folderThatCannotHoldEntriesIsUnavailableNotAMiss() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "not a folder");
    DirectoryZtocCache cache = new DirectoryZtocCache(file);

    assertThatThrownBy(() -> cache.get(ID)).isInstanceOf(ZtocCacheException.class)
        .hasMessageContaining(file.toString());
    assertThatThrownBy(() -> cache.put(ID, new byte[1])).isInstanceOf(ZtocCacheException.class)
        .hasMessageContaining("writing zTOC cache entry");
  }

  @Test
  void idsThatAreNotKeyIdsAreRefused() {
    DirectoryZtocCache cache = new DirectoryZtocCache(dir);

    assertThatThrownBy(() -> cache.get("../../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> cache.put(ID.toUpperCase(java.util.Locale.ROOT), new byte[1]))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
