package dev.socibuilder.registry;

/**
 * A run's {@link Deadline} passed before it was done. The message names what was stopped and the
 * deadline. Always transient: the same work with more time may succeed (a Lambda invocation is
 * retried). Nothing incomplete is tagged: the tag is published last, after every check.
 */
public final class DeadlineExceededException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what was stopped and by which deadline
   * @param cause the failure the deadline cut short, or null
   */
  public DeadlineExceededException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Always true: more time may succeed. */
  public boolean isTransient() {
    return true;
  }
}
