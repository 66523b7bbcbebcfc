package dev.socibuilder.filter;

/**
 * Invoking the indexer failed. Thrown out of the handler on purpose, so that Lambda's asynchronous
 * retry (and the function's on-failure handling) apply instead of the push being silently dropped.
 */
public final class IndexerInvocationException extends RuntimeException {

  IndexerInvocationException(String message, Throwable cause) {
    super(message, cause);
  }
}
