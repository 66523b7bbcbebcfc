package dev.socibuilder.filter.sweep;

import dev.socibuilder.filter.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One JSON object per line, like the filter's and the indexer's logs: a line per image sent to the indexer,
 * per repository that could not be listed, and a summary per run ({@code message = "sweep run finished"}).
 * Only repository names, tags, digests, counts, our own messages and AWS error messages are written.
 */
final class SweepLog {
  private final Consumer<String> sink;
  private final String requestId;

  SweepLog(Consumer<String> sink, String requestId) {
    this.sink = sink;
    this.requestId = requestId;
  }

  void write(String level, String message, Map<String, Object> fields) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("level", level);
    line.put("message", message);
    line.putAll(fields);
    line.put("requestId", requestId);
    // Json escapes control characters: a value cannot break the one-line shape.
    sink.accept(Json.object(line));
  }
}
