package dev.socibuilder.indexer.lambda;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One JSON object per line, each carrying the request id, registry, repository, digest and tag of the
 * request it belongs to, so that CloudWatch Logs Insights can follow one image
 * ({@code filter digest = "sha256:..."}). Each line starts with {@code timestamp} (RFC 3339, UTC) and
 * {@code level} ({@code INFO}, {@code WARN}, {@code ERROR}), the keys Lambda reads to apply the function's
 * application log level to JSON lines. Only request fields, our own messages and registry/indexing error
 * messages (which never contain credentials) are written.
 */
final class JsonLog {

  private final Consumer<String> sink;
  private final Map<String, Object> context;

  private JsonLog(Consumer<String> sink, Map<String, Object> context) {
    this.sink = sink;
    this.context = context;
  }

  /** A log for one request. */
  static JsonLog forRequest(Consumer<String> sink, String requestId, IndexerRequest request) {
    Map<String, Object> context = new LinkedHashMap<>();
    context.put("requestId", requestId);
    context.put("registry", request == null ? null : request.getRegistry());
    context.put("repository", request == null ? null : request.getRepository());
    context.put("digest", request == null ? null : request.getDigest());
    context.put("tag", request == null ? null : request.getTag());
    return new JsonLog(sink, context);
  }

  void info(String message, Map<String, Object> fields) {
    write("INFO", message, fields);
  }

  void warn(String message, Map<String, Object> fields) {
    write("WARN", message, fields);
  }

  void error(String message, Map<String, Object> fields) {
    write("ERROR", message, fields);
  }

  private void write(String level, String message, Map<String, Object> fields) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("timestamp", Instant.now().toString());
    line.put("level", level);
    line.put("message", message);
    line.putAll(context);
    if (fields != null) {
      fields.forEach(line::putIfAbsent);
    }
    sink.accept(Json.write(line));
  }
}
