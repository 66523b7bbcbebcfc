package dev.socibuilder.cli;

import dev.socibuilder.indexer.IndexListener;
import dev.socibuilder.indexer.IndexReport;
import dev.socibuilder.oci.Descriptor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives a one-line display on a terminal: each layer being indexed with its progress, and how many
 * are done.
 */
final class IndexProgress implements IndexListener, AutoCloseable {
  private final Map<String, long[]> layers = new ConcurrentHashMap<>();
  private final AtomicLong done = new AtomicLong();
  private volatile int planned;
  private volatile Progress progress;

  @Override
  public void layersPlanned(int count, long totalBytes) {
    planned = count;
    if (count > 0) {
      progress = Progress.start(this::status);
    }
  }

  @Override
  public void bytesRead(Descriptor layer, long n) {
    layers.computeIfAbsent(layer.digest(), k -> new long[] {0, layer.size()})[0] += n;
  }

  @Override
  public void layerDone(Descriptor layer, IndexReport.ZtocReport ztoc) {
    layers.remove(layer.digest());
    done.incrementAndGet();
  }

  private String status() {
    StringBuilder sb = new StringBuilder("indexing: ").append(done.get()).append('/').append(planned)
        .append(" layers done");
    for (Map.Entry<String, long[]> e : layers.entrySet()) {
      long[] v = e.getValue();
      String hex = e.getKey().substring(e.getKey().indexOf(':') + 1);
      sb.append(" | ").append(hex, 0, Math.min(12, hex.length())).append(' ')
          .append(v[1] > 0 ? Math.min(100, v[0] * 100 / v[1]) : 0).append('%');
    }
    return sb.toString();
  }

  @Override
  public void close() {
    Progress p = progress;
    if (p != null) {
      p.close();
    }
  }
}
