package dev.socibuilder.filter.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where a sweep stopped, carried from one run to the next as an opaque string (base64url of a small JSON
 * object). The repository listing resumes from the page that held {@code repository}, re-read with the
 * {@code DescribeRepositories} token that fetched it; that repository's images are listed again (its tags are
 * needed whole to see which {@code <tag><suffix>} exist) and those up to {@code afterTag} (in tag order) are
 * not sent again.
 *
 * @param repositoriesToken the DescribeRepositories token of the page holding {@code repository}; null for
 *     the first page
 * @param repository the repository to go on with; null at the start of a sweep
 * @param afterTag the last tag of {@code repository} sent to the indexer, or null
 * @param run the number of the run this cursor starts (1 for a new sweep)
 * @param invoked indexer invokes sent by the sweep's previous runs
 */
record SweepCursor(String repositoriesToken, String repository, String afterTag, int run, int invoked) {
  /** A cursor longer than this is not one of ours. */
  static final int MAX_ENCODED_LENGTH = 8192;

  private static final ObjectMapper JSON = new ObjectMapper();

  SweepCursor {
    if (run < 1 || invoked < 0) {
      throw new IllegalArgumentException("run must be >= 1 and invoked >= 0");
    }
  }

  /** The cursor of a new sweep. */
  static SweepCursor start() {
    return new SweepCursor(null, null, null, 1, 0);
  }

  String encode() {
    ObjectNode o = JSON.createObjectNode();
    o.put("v", 1);
    o.put("reposToken", repositoriesToken);
    o.put("repo", repository);
    o.put("after", afterTag);
    o.put("run", run);
    o.put("invoked", invoked);
    try {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(o));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a cursor of strings and numbers", e);
    }
  }

  /**
   * Reads a cursor a previous run returned.
   *
   * @throws SweepRequestException if {@code encoded} is not such a cursor
   */
  static SweepCursor decode(String encoded) {
    if (encoded.length() > MAX_ENCODED_LENGTH) {
      throw new SweepRequestException("cursor: longer than " + MAX_ENCODED_LENGTH + " characters", null);
    }
    JsonNode o;
    try {
      o = JSON.readTree(Base64.getUrlDecoder().decode(encoded.strip()));
    } catch (IllegalArgumentException | java.io.IOException e) {
      throw new SweepRequestException("cursor: not a cursor of this sweep (" + e.getMessage() + ")", e);
    }
    if (o == null || !o.isObject() || o.path("v").asInt() != 1) {
      throw new SweepRequestException("cursor: not a cursor of this sweep", null);
    }
    try {
      return new SweepCursor(text(o, "reposToken"), text(o, "repo"), text(o, "after"), number(o, "run"),
          number(o, "invoked"));
    } catch (IllegalArgumentException e) {
      throw new SweepRequestException("cursor: " + e.getMessage(), e);
    }
  }

  private static String text(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new IllegalArgumentException(field + " is not a string");
    }
    return v.asText();
  }

  private static int number(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || !v.canConvertToInt()) {
      throw new IllegalArgumentException(field + " is not a number");
    }
    return v.asInt();
  }

  /** The cursor of the next run, going on with {@code repo} after {@code tag}. */
  SweepCursor next(String token, String repo, String tag, int invokedSoFar) {
    return new SweepCursor(token, repo, tag, run + 1, invokedSoFar);
  }
}
