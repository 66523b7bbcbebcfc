package dev.socibuilder.json;

/** Malformed JSON text. Carries the byte offset at which the parser gave up. */
public final class JsonException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final long offset;

  public JsonException(String message, long offset) {
    super(message + " (at byte offset " + offset + ")");
    this.offset = offset;
  }

  /** Byte offset into the input where the error was detected. */
  public long offset() {
    return offset;
  }
}
