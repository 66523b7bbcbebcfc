package dev.socibuilder.filter;

import dev.socibuilder.filter.event.EcrImageAction;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Writes one JSON object per line: one line per decision, so that CloudWatch Logs Insights can
 * query them ({@code filter decision = "ignored" | stats count() by reason}). Each line starts with
 * {@code timestamp} (RFC 3339, UTC) and {@code level} ({@code INFO}, {@code WARN}, {@code ERROR}), the
 * keys Lambda reads to apply the function's application log level to JSON lines. Only event fields and
 * our own reasons are written, never configuration values or credentials. Each value is cut to
 * {@value #MAX_FIELD_CHARS} characters: an event is not trusted to be small.
 */
final class DecisionLog {
  /** The longest value written whole. */
  static final int MAX_FIELD_CHARS = 1024;

  private final Consumer<String> sink;
  private final Clock clock;

  DecisionLog(Consumer<String> sink, Clock clock) {
    this.sink = sink;
    this.clock = clock;
  }

  /** Logs a decision; {@code level} is INFO, or WARN for an event that should not have reached us. */
  void decision(String level, Decision decision, String requestId) {
    write(level, decision.decision(), decision.reason(), decision.event(), requestId);
  }

  void invocationFailed(String reason, EcrImageAction event, String requestId) {
    write("ERROR", "failed", reason, event, requestId);
  }

  private void write(String level, String decision, String reason, EcrImageAction event, String requestId) {
    Map<String, String> line = new LinkedHashMap<>();
    line.put("timestamp", clock.instant().toString());
    line.put("level", level);
    line.put("decision", decision);
    line.put("reason", reason);
    line.put("repository", event.repositoryName());
    line.put("tag", event.imageTag());
    line.put("digest", event.imageDigest());
    line.put("action", event.actionType());
    line.put("result", event.result());
    line.put("manifestMediaType", event.manifestMediaType());
    line.put("artifactMediaType", event.artifactMediaType());
    line.put("account", event.account());
    line.put("region", event.region());
    line.put("eventId", event.id());
    line.put("requestId", requestId);
    line.replaceAll((k, v) -> v == null ? null : bounded(v, MAX_FIELD_CHARS));
    sink.accept(Json.object(line));
  }

  /** {@code s} cut to {@code max} characters, saying how many were left out. */
  static String bounded(String s, int max) {
    if (s.length() <= max) {
      return s;
    }
    int cut = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
    return s.substring(0, cut) + "... (" + (s.length() - cut) + " more characters)";
  }
}
