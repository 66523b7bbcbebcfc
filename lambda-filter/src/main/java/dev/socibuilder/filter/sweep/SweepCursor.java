package dev.socibuilder.filter.sweep;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where a sweep stopped, carried from one run to the next as an opaque string: {@code v1} and the five
 * fields, dot-separated, each string base64url-encoded ({@code ~} for null), so that no JSON library is
 * needed and no value can contain the separator. The repository listing resumes from the page that held {@code repository}, re-read with the
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
    return String.join(".", "v1", text(repositoriesToken), text(repository), text(afterTag),
        Integer.toString(run), Integer.toString(invoked));
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
    String[] parts = encoded.strip().split("\\.", -1);
    if (parts.length != 6 || !parts[0].equals("v1")) {
      throw new SweepRequestException("cursor: not a cursor of this sweep", null);
    }
    try {
      return new SweepCursor(textOf(parts[1]), textOf(parts[2]), textOf(parts[3]), number(parts[4], "run"),
          number(parts[5], "invoked"));
    } catch (IllegalArgumentException e) {
      throw new SweepRequestException("cursor: " + e.getMessage(), e);
    }
  }

  private static String text(String value) {
    return value == null ? "~"
        : Base64.getUrlEncoder().withoutPadding().encodeToString(value.getBytes(StandardCharsets.UTF_8));
  }

  /** A decoded string field: {@code ~} is null; anything else must be base64url of UTF-8. */
  private static String textOf(String part) {
    if (part.equals("~")) {
      return null;
    }
    return new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8);
  }

  private static int number(String part, String field) {
    try {
      return Integer.parseInt(part);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(field + " is not a number");
    }
  }

  /** The cursor of the next run, going on with {@code repo} after {@code tag}. */
  SweepCursor next(String token, String repo, String tag, int invokedSoFar) {
    return new SweepCursor(token, repo, tag, run + 1, invokedSoFar);
  }
}
