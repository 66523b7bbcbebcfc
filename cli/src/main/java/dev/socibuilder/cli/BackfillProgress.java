package dev.socibuilder.cli;

import dev.socibuilder.indexer.backfill.BackfillListener;
import dev.socibuilder.indexer.backfill.ImageResult;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A one-line status of a backfill on a terminal: repositories, images done, being indexed, failed. */
final class BackfillProgress implements BackfillListener, AutoCloseable {
  private volatile int repositories = -1;
  private final AtomicInteger done = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final Set<String> indexing = ConcurrentHashMap.newKeySet();
  private final Progress progress = Progress.start(this::status);

  @Override
  public void repositoriesListed(int count) {
    repositories = count;
  }

  @Override
  public void queued(String repository, String tag) {
    indexing.add(repository + ":" + tag);
  }

  @Override
  public void done(ImageResult result) {
    indexing.remove(result.image());
    done.incrementAndGet();
    if (result.status() == ImageResult.Status.FAILED) {
      failed.incrementAndGet();
    }
  }

  private String status() {
    if (repositories < 0) {
      return "backfill: listing repositories...";
    }
    return "backfill: " + repositories + " repositories, " + done.get() + " images done, " + indexing.size()
        + " queued or indexing, " + failed.get() + " failed";
  }

  @Override
  public void close() {
    progress.close();
  }
}
