package dev.socibuilder.registry;

import java.time.Duration;
import java.util.Objects;

/**
 * How often and how patiently transient registry failures (5xx, 429, timeouts, dropped connections)
 * are retried: at most {@code maxAttempts} attempts per operation, waiting an exponentially growing,
 * jittered delay that starts at {@code baseDelay} and never exceeds {@code maxDelay} (a 429's
 * {@code Retry-After} is honoured instead, when present).
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay) {
  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1: " + maxAttempts);
    }
    Objects.requireNonNull(baseDelay, "baseDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    if (baseDelay.isNegative() || maxDelay.compareTo(baseDelay) < 0) {
      throw new IllegalArgumentException("need 0 <= baseDelay <= maxDelay: " + baseDelay + ", " + maxDelay);
    }
  }

  /** 5 attempts, 200 ms doubling up to 10 s. */
  public static RetryPolicy defaults() {
    return new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(10));
  }

  /** A single attempt: no retries. */
  public static RetryPolicy none() {
    return new RetryPolicy(1, Duration.ZERO, Duration.ZERO);
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
