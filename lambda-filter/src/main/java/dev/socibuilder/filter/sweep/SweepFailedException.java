package dev.socibuilder.filter.sweep;

/**
 * A sweep run could not go on: the repositories cannot be listed, or the indexer cannot be invoked. Thrown
 * out of the handler on purpose (after the run's summary and cursor are logged), so that the failure counts
 * as a function error and Lambda's asynchronous retries run the same input again.
 */
public final class SweepFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  SweepFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
