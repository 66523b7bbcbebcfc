package dev.socibuilder.filter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.socibuilder.filter.event.EcrImageAction;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Writes one JSON object per line: one line per decision, so that CloudWatch Logs Insights can
 * query them ({@code filter decision = "ignored" | stats count() by reason}). Only event fields and
 * our own reasons are written, never configuration values or credentials. Each value is cut to
 * {@value #MAX_FIELD_CHARS} characters: an event is not trusted to be small.
 */
final class DecisionLog {
  /** The longest value written whole. */
  static final int MAX_FIELD_CHARS = 1024;

  private final ObjectMapper json;
  private final Consumer<String> sink;

  DecisionLog(ObjectMapper json, Consumer<String> sink) {
    this.json = json;
    this.sink = sink;
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
    try {
      // Jackson escapes control characters, so a value cannot break the one-line-per-decision shape.
      sink.accept(json.writeValueAsString(line));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize a log line of strings", e);
    }
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
