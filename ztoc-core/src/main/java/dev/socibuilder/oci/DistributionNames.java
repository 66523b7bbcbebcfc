package dev.socibuilder.oci;

/**
 * The OCI distribution spec's grammar of repository names, tags and registry hosts, with length limits,
 * checked by hand-written scanners: the spec's regular expressions repeat groups, which Java's regex
 * engine matches by recursion, one stack frame per repetition, so a few thousand characters of a
 * hostile name overflow the stack. These scanners take linear time and constant stack whatever the
 * input.
 *
 * <p>Each {@code problem} method returns why the text is not valid, in a few words, or {@code null} if it
 * is. The messages never quote the text (it may be huge); callers quote it shortened.
 */
public final class DistributionNames {
  /**
   * Longest repository name: ECR's limit (256). The distribution spec's clients limit
   * {@code host/name} together to 255.
   */
  public static final int MAX_REPOSITORY_LENGTH = 256;
  /** Longest tag ({@code [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}}). */
  public static final int MAX_TAG_LENGTH = 128;
  /** Longest registry host with its port: a DNS name (253) and {@code :65535}. */
  public static final int MAX_REGISTRY_LENGTH = 253 + 6;

  private DistributionNames() {}

  /**
   * Why {@code name} is not a repository name, or null if it is: one or more {@code /}-separated
   * components {@code [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*}, at most {@value #MAX_REPOSITORY_LENGTH}
   * characters.
   */
  public static String repositoryProblem(String name) {
    if (name == null || name.isEmpty()) {
      return "is empty";
    }
    if (name.length() > MAX_REPOSITORY_LENGTH) {
      return "is longer than " + MAX_REPOSITORY_LENGTH + " characters (" + name.length() + ")";
    }
    // One pass: each component must start and end with [a-z0-9]; between alphanumeric runs exactly one
    // separator: '.', '_', "__" or a run of '-'.
    int i = 0;
    int n = name.length();
    while (true) {
      if (i >= n || !lowerAlnum(name.charAt(i))) {
        return "has a path component that does not start with [a-z0-9]";
      }
      while (i < n && lowerAlnum(name.charAt(i))) {
        i++;
      }
      if (i == n) {
        return null;
      }
      char c = name.charAt(i);
      if (c == '/') {
        i++;
        continue;
      }
      if (c == '.') {
        i++;
      } else if (c == '_') {
        i += i + 1 < n && name.charAt(i + 1) == '_' ? 2 : 1;
      } else if (c == '-') {
        while (i < n && name.charAt(i) == '-') {
          i++;
        }
      } else {
        return "has a character other than [a-z0-9._/-] at index " + i;
      }
      if (i >= n || !lowerAlnum(name.charAt(i))) {
        return "has a separator not followed by [a-z0-9] at index " + (i - 1);
      }
    }
  }

  /** Whether {@code name} is a repository name ({@link #repositoryProblem} is null). */
  public static boolean isRepository(String name) {
    return repositoryProblem(name) == null;
  }

  /** Why {@code tag} is not a tag ({@code [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}}), or null if it is. */
  public static String tagProblem(String tag) {
    if (tag == null || tag.isEmpty()) {
      return "is empty";
    }
    if (tag.length() > MAX_TAG_LENGTH) {
      return "is longer than " + MAX_TAG_LENGTH + " characters (" + tag.length() + ")";
    }
    char first = tag.charAt(0);
    if (!(alnum(first) || first == '_')) {
      return "does not start with [A-Za-z0-9_]";
    }
    for (int i = 1; i < tag.length(); i++) {
      char c = tag.charAt(i);
      if (!(alnum(c) || c == '_' || c == '.' || c == '-')) {
        return "has a character other than [A-Za-z0-9._-] at index " + i;
      }
    }
    return null;
  }

  /** Whether {@code tag} is a tag ({@link #tagProblem} is null). */
  public static boolean isTag(String tag) {
    return tagProblem(tag) == null;
  }

  /**
   * Why {@code registry} is not a registry host, or null if it is: dot-separated labels of
   * {@code [a-zA-Z0-9]} and inner {@code -}, then optionally {@code :port} (digits), at most
   * {@value #MAX_REGISTRY_LENGTH} characters.
   */
  public static String registryProblem(String registry) {
    if (registry == null || registry.isEmpty()) {
      return "is empty";
    }
    if (registry.length() > MAX_REGISTRY_LENGTH) {
      return "is longer than " + MAX_REGISTRY_LENGTH + " characters (" + registry.length() + ")";
    }
    int colon = registry.indexOf(':');
    String host = colon < 0 ? registry : registry.substring(0, colon);
    if (colon >= 0) {
      String port = registry.substring(colon + 1);
      if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return "has a port that is not a number";
      }
    }
    int labelStart = 0;
    for (int i = 0; i <= host.length(); i++) {
      if (i == host.length() || host.charAt(i) == '.') {
        if (i == labelStart || host.charAt(labelStart) == '-' || host.charAt(i - 1) == '-') {
          return "has an empty host label or one that starts or ends with '-'";
        }
        labelStart = i + 1;
      } else {
        char c = host.charAt(i);
        if (!(alnum(c) || c == '-')) {
          return "has a character other than [A-Za-z0-9.-] in its host name at index " + i;
        }
      }
    }
    return null;
  }

  /**
   * {@code text} for a message: as is up to {@code max} characters, else its first {@code max}
   * characters and how many more there were. Control characters are escaped, so a value cannot break a
   * one-line message.
   */
  public static String shorten(String text, int max) {
    if (text == null) {
      return "null";
    }
    int keep = Math.min(text.length(), max);
    StringBuilder sb = new StringBuilder(keep + 40);
    for (int i = 0; i < keep; i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        sb.append(String.format("\\x%02x", (int) c));
      } else {
        sb.append(c);
      }
    }
    if (text.length() > max) {
      sb.append("... (").append(text.length() - max).append(" more characters)");
    }
    return sb.toString();
  }

  private static boolean lowerAlnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }

  private static boolean alnum(char c) {
    return lowerAlnum(c) || (c >= 'A' && c <= 'Z');
  }
}
