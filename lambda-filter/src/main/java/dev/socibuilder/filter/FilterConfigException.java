package dev.socibuilder.filter;

/** The filter Lambda's configuration (its environment) is missing or invalid; the message names the variable. */
public final class FilterConfigException extends IllegalArgumentException {

  FilterConfigException(String message) {
    super(message);
  }

  FilterConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
