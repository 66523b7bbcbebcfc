package dev.socibuilder.filter.rules;

/**
 * One {@code REPOSITORY:TAG} filter of a {@link FilterRules} list, optionally negated with a leading
 * {@code !}.
 *
 * @param text the filter as written (after trimming), e.g. {@code !team/*:dev-*}
 * @param exclude whether the filter excludes what it matches
 * @param repository the repository-name glob
 * @param tag the tag glob; empty matches only an untagged push
 */
public record FilterRule(String text, boolean exclude, String repository, String tag) {

  public FilterRule {
    if (text == null || repository == null || tag == null) {
      throw new IllegalArgumentException("filter parts must not be null");
    }
  }

  /**
   * Whether this filter matches an image, ignoring whether it includes or excludes.
   *
   * @param repositoryName the ECR repository name (ECR names are lower case; compared exactly)
   * @param imageTag the tag, or the empty string for a digest-only push
   */
  public boolean matches(String repositoryName, String imageTag) {
    return new Glob(repository).matches(repositoryName) && new Glob(tag).matches(imageTag);
  }

  @Override
  public String toString() {
    return text;
  }
}
