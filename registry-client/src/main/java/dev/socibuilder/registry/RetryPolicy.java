package dev.socibuilder.registry;

import java.time.Duration;
import java.util.Objects;

/**
 * How often and how patiently transient registry failures (5xx, 429, timeouts, dropped connections)
 * are retried: at most {@code maxAttempts} attempts per operation, waiting an exponentially growing,
 * jittered delay that starts at {@code baseDelay} and never exceeds {@code maxDelay}. A registry's
 * {@code Retry-After} (on 429 or 503) is honoured instead, but no single wait is longer than
 * {@code maxWait}, and the waits of one operation together never exceed {@code retryBudget}: an
 * operation whose next wait would go over the budget (or past the run's {@link Deadline}) fails at
 * once, saying so.
 *
 * @param maxAttempts attempts per operation, at least 1
 * @param baseDelay the first backoff delay
 * @param maxDelay the longest backoff delay (not counting {@code Retry-After})
 * @param maxWait the longest single wait, also for {@code Retry-After} (default 60 s)
 * @param retryBudget the most one operation waits in total between its attempts (default 2 min)
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay, Duration maxWait,
    Duration retryBudget) {
  /** The default {@link #maxWait()}. */
  public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(60);
  /** The default {@link #retryBudget()}. */
  public static final Duration DEFAULT_RETRY_BUDGET = Duration.ofMinutes(2);

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1: " + maxAttempts);
    }
    Objects.requireNonNull(baseDelay, "baseDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    Objects.requireNonNull(maxWait, "maxWait");
    Objects.requireNonNull(retryBudget, "retryBudget");
    if (baseDelay.isNegative() || maxDelay.compareTo(baseDelay) < 0) {
      throw new IllegalArgumentException("need 0 <= baseDelay <= maxDelay: " + baseDelay + ", " + maxDelay);
    }
    if (maxWait.isNegative() || retryBudget.isNegative()) {
      throw new IllegalArgumentException("maxWait and retryBudget must not be negative: " + maxWait + ", " + retryBudget);
    }
  }

  /** A policy with the default {@link #DEFAULT_MAX_WAIT} and {@link #DEFAULT_RETRY_BUDGET}. */
  public RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay) {
    this(maxAttempts, baseDelay, maxDelay, DEFAULT_MAX_WAIT, DEFAULT_RETRY_BUDGET);
  }

  /** 5 attempts, 200 ms doubling up to 10 s; single waits up to 60 s, 2 min in total per operation. */
  public static RetryPolicy defaults() {
    return new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(10));
  }

  /** A single attempt: no retries. */
  public static RetryPolicy none() {
    return new RetryPolicy(1, Duration.ZERO, Duration.ZERO);
  }

  /** This policy with another longest single wait and total budget. */
  public RetryPolicy withWaitLimits(Duration newMaxWait, Duration newRetryBudget) {
    return new RetryPolicy(maxAttempts, baseDelay, maxDelay, newMaxWait, newRetryBudget);
  }

  /**
   * The delay before attempt {@code attempt + 1} after {@code attempt} failed (1-based): the capped
   * exponential delay, scaled by {@code jitter} in [0,1) into its upper half so that many workers
   * retrying together spread out without ever retrying immediately.
   */
  Duration delayAfter(int attempt, double jitter) {
    long base = baseDelay.toMillis();
    long max = maxDelay.toMillis();
    long exp = base;
    for (int i = 1; i < attempt && exp < max; i++) {
      exp *= 2;
    }
    exp = Math.min(exp, max);
    return Duration.ofMillis(exp / 2 + (long) (jitter * (exp - exp / 2)));
  }
}
