package dev.socibuilder.filter.sweep;

/** A sweep request that cannot be followed (a malformed cursor); the message says what is wrong. */
public final class SweepRequestException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  SweepRequestException(String message, Throwable cause) {
    super(message, cause);
  }
}
