package dev.socibuilder.digest;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest in the OCI form {@code algorithm:hex}. Only {@code sha256} is produced or
 * verified by this project (it is the only algorithm the OCI image spec requires and the only one
 * soci writes).
 */
public record Digest(String algorithm, String hex) implements Comparable<Digest> {
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern ENCODED = Pattern.compile("[a-zA-Z0-9=_-]+");

  public Digest {
    if (algorithm == null || !isAlgorithm(algorithm)) {
      throw new IllegalArgumentException("invalid digest algorithm: " + shown(algorithm));
    }
    if (hex == null || !ENCODED.matcher(hex).matches()) {
      throw new IllegalArgumentException("invalid digest encoding: " + shown(hex));
    }
    if (algorithm.equals("sha256") && !SHA256_HEX.matcher(hex).matches()) {
      throw new IllegalArgumentException("invalid sha256 digest: " + shown(hex));
    }
  }

  /** A value for a message: a hostile digest may be megabytes long. */
  private static String shown(String s) {
    return s == null || s.length() <= 160 ? s : s.substring(0, 160) + "... (" + (s.length() - 160) + " more characters)";
  }

  /**
   * {@code [a-z0-9]+([+._-][a-z0-9]+)*}, scanned by hand: as a regular expression the repeated group
   * costs a stack frame per repetition, and a long hostile algorithm would overflow the stack.
   */
  private static boolean isAlgorithm(String s) {
    boolean afterSeparator = true; // at the start, as after a separator: an alphanumeric must follow
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        afterSeparator = false;
      } else if ((c == '+' || c == '.' || c == '_' || c == '-') && !afterSeparator) {
        afterSeparator = true;
      } else {
        return false;
      }
    }
    return !afterSeparator;
  }

  /** Parses {@code sha256:<64 lowercase hex>} (or another well-formed OCI digest). */
  public static Digest parse(String s) {
    int colon = s == null ? -1 : s.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("invalid digest: " + shown(s));
    }
    return new Digest(s.substring(0, colon), s.substring(colon + 1));
  }

  /** A sha256 digest of the given raw 32 bytes. */
  public static Digest sha256(byte[] rawDigest) {
    if (rawDigest.length != 32) {
      throw new IllegalArgumentException("sha256 digest must be 32 bytes, got " + rawDigest.length);
    }
    return new Digest("sha256", HexFormat.of().formatHex(rawDigest));
  }

  /** The sha256 digest of {@code data}. */
  public static Digest sha256Of(byte[] data) {
    return sha256(newSha256().digest(data));
  }

  /** A new SHA-256 {@link MessageDigest} (always available in the JDK). */
  public static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the Java platform", e);
    }
  }

  /** The raw digest bytes (sha256 only). */
  public byte[] bytes() {
    return HexFormat.of().parseHex(hex);
  }

  @Override
  public int compareTo(Digest o) {
    return toString().compareTo(o.toString());
  }

  /** {@code algorithm:hex}, the OCI form. */
  @Override
  public String toString() {
    return algorithm + ":" + hex;
  }
}
