package dev.socibuilder.filter.rules;

/**
 * A glob over a whole string: {@code *} matches any run of characters (including none, and including
 * {@code /}), {@code ?} matches exactly one character, every other character matches itself,
 * case-sensitively. There is no escape: neither {@code *} nor {@code ?} can occur in an ECR
 * repository name or image tag.
 */
record Glob(String pattern) {

  Glob {
    if (pattern == null) {
      throw new IllegalArgumentException("pattern is null");
    }
  }

  /** Whether the glob matches all of {@code text}. */
  boolean matches(String text) {
    // Iterative wildcard matching with one backtrack point (the last '*'): linear in practice,
    // O(pattern * text) at worst, no regex compilation and no recursion.
    int p = 0;
    int t = 0;
    int starP = -1;
    int starT = -1;
    while (t < text.length()) {
      if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == text.charAt(t))) {
        p++;
        t++;
      } else if (p < pattern.length() && pattern.charAt(p) == '*') {
        starP = p++;
        starT = t;
      } else if (starP >= 0) {
        p = starP + 1;
        t = ++starT;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }

  @Override
  public String toString() {
    return pattern;
  }
}
