package dev.socibuilder.filter.rules;

/** A filter list that cannot be parsed; the message names the offending filter and why. */
public final class FilterSyntaxException extends IllegalArgumentException {

  FilterSyntaxException(String message) {
    super(message);
  }
}
