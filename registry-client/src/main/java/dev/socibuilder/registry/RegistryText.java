package dev.socibuilder.registry;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes text that came from a registry (error messages and codes, header values, anything a server
 * chose) safe to put into a message: one line, no terminal control (ANSI CSI and OSC escape sequences,
 * C0 and C1 control characters, Unicode line separators and bidirectional overrides), nothing that
 * looks like a credential (an echoed {@code Authorization} header, {@code Basic}/{@code Bearer}
 * values, JWTs, {@code token=}/{@code password=} pairs, URL user info, pre-signed URL signatures, AWS
 * access key ids), and at most {@link #MAX_LENGTH} characters.
 */
public final class RegistryText {
  /** The longest text kept, in characters; longer text is cut and ends with an ellipsis. */
  public static final int MAX_LENGTH = 512;

  /** What replaces a credential. */
  static final String REDACTED = "[redacted]";

  // ESC [ params intermediates final | ESC ] ... (BEL | ESC \ | end) | ESC P/X/^/_ ... ST | ESC + one char;
  // and the 8-bit forms CSI (U+009B) and OSC (U+009D).
  private static final Pattern ESCAPES = Pattern.compile(
      "(?:\u001b\\[|\u009b)[0-?]*[ -/]*[@-~]?"
          + "|(?:\u001b[\\]PX^_]|[\u009d\u0090\u0098\u009e\u009f])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\\\|\u009c)?"
          + "|\u001b.?");

  private static final Pattern AUTHORIZATION = Pattern.compile(
      "(?i)(\\b(?:proxy-)?authorization\\b[\"']?\\s*[:=]\\s*[\"']?)(?:(?:basic|bearer|aws4-hmac-sha256|token)\\s+)?[^\\s\"',;]+");
  // A credential has an upper-case letter, a digit or a symbol: "Basic authentication failed" stays.
  private static final Pattern SCHEME_CREDENTIAL = Pattern.compile(
      "(?i)\\b(basic|bearer)(\\s+)(?-i:(?=[A-Za-z0-9+/=._~-]*[A-Z0-9+/=._~-])[A-Za-z0-9+/=._~-]{6,})");
  private static final Pattern JWT = Pattern.compile("\\beyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}(?:\\.[A-Za-z0-9_-]*)?");
  private static final Pattern NAMED_SECRET = Pattern.compile(
      "(?i)(\\b(?:access_token|refresh_token|id_token|token|password|passwd|pwd|secret|client_secret|api[_-]?key"
          + "|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential)"
          + "[\"']?\\s*[:=]\\s*[\"']?)"
          + "[^\\s\"'&,;}]+");
  private static final Pattern QUERY_SECRET = Pattern.compile("(?i)([?&](?:sig|signature|se|st|skoid)=)[^&\\s\"']+");
  private static final Pattern USER_INFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^/\\s@]*@");
  private static final Pattern AWS_KEY_ID = Pattern.compile("\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b");

  private RegistryText() {}

  /** {@code text} made safe for a message (see the class comment); null stays null. */
  public static String sanitize(String text) {
    if (text == null) {
      return null;
    }
    // Bound the work on hostile input before any pattern runs: more than this is never shown anyway.
    String s = text.length() > 8 * MAX_LENGTH ? text.substring(0, 8 * MAX_LENGTH) : text;
    s = ESCAPES.matcher(s).replaceAll(" ");
    s = controlsToSpaces(s);
    s = AUTHORIZATION.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + REDACTED));
    s = JWT.matcher(s).replaceAll(REDACTED);
    s = SCHEME_CREDENTIAL.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + m.group(2) + REDACTED));
    s = NAMED_SECRET.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + REDACTED));
    s = QUERY_SECRET.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + REDACTED));
    s = USER_INFO.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + REDACTED + "@"));
    s = AWS_KEY_ID.matcher(s).replaceAll(REDACTED);
    s = s.replaceAll(" {2,}", " ").strip();
    if (s.length() > MAX_LENGTH) {
      int end = MAX_LENGTH - 1;
      if (Character.isHighSurrogate(s.charAt(end - 1))) {
        end--;
      }
      s = s.substring(0, end) + "…";
    }
    return s;
  }

  /** Every control, format-override and line/paragraph separator character as a space. */
  private static String controlsToSpaces(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      sb.append(isUnsafe(c) ? ' ' : c);
    }
    return sb.toString();
  }

  private static boolean isUnsafe(char c) {
    if (Character.isISOControl(c)) {
      return true; // C0, DEL, C1
    }
    return c == '\u2028' || c == '\u2029' // line and paragraph separators
        || (c >= '\u202a' && c <= '\u202e') // bidi embeddings and overrides
        || (c >= '\u2066' && c <= '\u2069') // bidi isolates
        || c == '\u200e' || c == '\u200f' || c == '\u061c' // direction marks
        || c == '\ufeff';
  }
}
