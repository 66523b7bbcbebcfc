package dev.socibuilder.filter.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The ordered filter list that selects which pushed images get a SOCI index.
 *
 * <p>Syntax: a comma-separated list of {@code REPOSITORY:TAG} globs ({@code *} any characters,
 * {@code ?} one character); a filter starting with {@code !} excludes what it matches. Whitespace
 * around filters is ignored; a blank list means {@code *:*}.
 *
 * <p>Semantics: the filters are evaluated in order and the <em>last</em> one that matches decides,
 * so later filters refine earlier ones ({@code *:*,!*:dev-*} indexes everything but {@code dev-}
 * tags, {@code !*:dev-*,team/app:dev-1} also lets {@code team/app:dev-1} through). An image no
 * filter matches is not selected, except that a list made only of exclusions starts from
 * {@code *:*} (otherwise it could never select anything).
 *
 * <p>Repository names are matched exactly: ECR names are lower case, so a repository glob with an
 * upper-case letter is rejected as a mistake rather than silently never matching. Tags are matched
 * case-sensitively. A digest-only push is matched as tag {@code ""}: only a tag glob that matches
 * the empty string, such as {@code *}, selects it.
 */
public final class FilterRules {

  /** The filter list used when none is configured. */
  public static final String DEFAULT = "*:*";

  private final List<FilterRule> rules;
  private final boolean startsIncluded;

  private FilterRules(List<FilterRule> rules) {
    this.rules = List.copyOf(rules);
    this.startsIncluded = rules.stream().allMatch(FilterRule::exclude);
  }

  /**
   * Parses a filter list.
   *
   * @param list the comma-separated list; {@code null} or blank means {@link #DEFAULT}
   * @throws FilterSyntaxException naming the first bad filter
   */
  public static FilterRules parse(String list) {
    if (list == null || list.isBlank()) {
      list = DEFAULT;
    }
    List<FilterRule> rules = new ArrayList<>();
    for (String raw : list.split(",", -1)) {
      String text = raw.strip();
      if (text.isEmpty()) {
        throw new FilterSyntaxException("empty filter in list '" + list + "' (stray comma?)");
      }
      rules.add(parseOne(text));
    }
    return new FilterRules(rules);
  }

  private static FilterRule parseOne(String text) {
    boolean exclude = text.startsWith("!");
    String body = exclude ? text.substring(1) : text;
    int colon = body.indexOf(':');
    if (colon < 0) {
      throw new FilterSyntaxException("filter '" + text + "' is not REPOSITORY:TAG (no ':')");
    }
    String repository = body.substring(0, colon);
    String tag = body.substring(colon + 1);
    if (repository.isEmpty()) {
      throw new FilterSyntaxException("filter '" + text + "' has an empty repository glob");
    }
    for (int i = 0; i < repository.length(); i++) {
      char c = repository.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'
          || c == '/' || c == '*' || c == '?';
      if (!ok) {
        String why = (c >= 'A' && c <= 'Z')
            ? "ECR repository names are lower case, so it could never match"
            : "ECR repository names cannot contain it";
        throw new FilterSyntaxException(
            "filter '" + text + "': character '" + c + "' in the repository glob: " + why);
      }
    }
    for (int i = 0; i < tag.length(); i++) {
      char c = tag.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
          || c == '_' || c == '-' || c == '*' || c == '?';
      if (!ok) {
        throw new FilterSyntaxException(
            "filter '" + text + "': character '" + c + "' in the tag glob: image tags cannot contain it");
      }
    }
    return new FilterRule(text, exclude, repository, tag);
  }

  /** The filters, in order. */
  public List<FilterRule> rules() {
    return rules;
  }

  /**
   * The filter that decides for an image: the last one that matches, if any.
   *
   * @param repositoryName the ECR repository name
   * @param imageTag the tag, or {@code ""} for a digest-only push
   */
  public Optional<FilterRule> decidingRule(String repositoryName, String imageTag) {
    for (int i = rules.size() - 1; i >= 0; i--) {
      FilterRule rule = rules.get(i);
      if (rule.matches(repositoryName, imageTag)) {
        return Optional.of(rule);
      }
    }
    return Optional.empty();
  }

  /**
   * Whether the list selects an image.
   *
   * @param repositoryName the ECR repository name
   * @param imageTag the tag, or {@code ""} for a digest-only push
   */
  public boolean selects(String repositoryName, String imageTag) {
    return decidingRule(repositoryName, imageTag).map(rule -> !rule.exclude()).orElse(startsIncluded);
  }

  /**
   * Whether the list might select some tag of a repository: false only when it certainly selects none of
   * its tags, so that a sweep over existing images can skip listing that repository (and need no
   * permission on it). True when an including filter matches the repository, or when the list starts from
   * {@code *:*} and no exclusion of every tag ({@code !REPO:*}) is the last filter that matches it.
   *
   * @param repositoryName the ECR repository name
   */
  public boolean mightSelectRepository(String repositoryName) {
    for (int i = rules.size() - 1; i >= 0; i--) {
      FilterRule rule = rules.get(i);
      if (!new Glob(rule.repository()).matches(repositoryName)) {
        continue;
      }
      if (!rule.exclude()) {
        return true;
      }
      if (!rule.tag().isEmpty() && rule.tag().chars().allMatch(c -> c == '*')) {
        // excludes every tag, and no later filter concerns this repository
        return false;
      }
      // excludes some tags: an earlier filter (or the implicit *:*) may still select the others
    }
    return startsIncluded;
  }

  /** The list in its canonical written form. */
  @Override
  public String toString() {
    return String.join(",", rules.stream().map(FilterRule::text).toList());
  }
}
