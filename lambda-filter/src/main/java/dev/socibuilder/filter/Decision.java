package dev.socibuilder.filter;

import dev.socibuilder.filter.event.EcrImageAction;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the filter did with one event.
 *
 * @param invoked whether the indexer was invoked
 * @param reason why, for people reading the log: the filter that selected or excluded the image, or
 *     which ignore rule applied
 * @param event the event as received
 * @param request the request sent to the indexer, or {@code null} when it was not invoked
 */
public record Decision(boolean invoked, String reason, EcrImageAction event, IndexRequest request) {

  public Decision {
    if (reason == null || event == null) {
      throw new IllegalArgumentException("reason and event are required");
    }
    if (invoked != (request != null)) {
      throw new IllegalArgumentException("an invoked decision has a request, an ignored one has none");
    }
  }

  static Decision ignored(String reason, EcrImageAction event) {
    return new Decision(false, reason, event, null);
  }

  /** {@code "invoked"} or {@code "ignored"}. */
  public String decision() {
    return invoked ? "invoked" : "ignored";
  }

  /**
   * The handler's response: decision, reason, repository, tag and digest (absent ones left out, long
   * ones cut as in the log). Returned as a map so that the runtime's serializer writes it as a plain JSON
   * object.
   */
  public Map<String, String> toResponse() {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("decision", decision());
    out.put("reason", reason);
    putIfPresent(out, "repository", event.repositoryName());
    putIfPresent(out, "tag", event.imageTag());
    putIfPresent(out, "digest", event.imageDigest());
    return out;
  }

  private static void putIfPresent(Map<String, String> out, String key, String value) {
    if (value != null) {
      out.put(key, DecisionLog.bounded(value, DecisionLog.MAX_FIELD_CHARS));
    }
  }
}
