package dev.socibuilder.filter.sweep;

/** The sweep's configuration (its environment) is missing or invalid; the message names the variable. */
public final class SweepConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  SweepConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
