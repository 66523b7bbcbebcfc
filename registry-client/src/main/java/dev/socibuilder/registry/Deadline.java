package dev.socibuilder.registry;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The moment by which a whole run must be over (a {@code --timeout}, or a Lambda invocation's remaining
 * time less a margin to report). The registry client sends no request, waits for no retry and reads no
 * body past it, and the indexing service checks it between steps; what passes it fails with a
 * {@link DeadlineExceededException}. {@link #none()} never passes.
 *
 * <p>Measured on {@link System#nanoTime()}, so wall-clock changes do not move it. Immutable and
 * thread-safe.
 */
public final class Deadline {
  /** What {@link #none()} reports as remaining: 100 years. */
  public static final Duration UNBOUNDED = Duration.ofDays(365 * 100L);

  private static final Deadline NONE = new Deadline(null, 0, System::nanoTime);

  private final Duration budget;
  private final long atNanos;
  private final LongSupplier clock;

  private Deadline(Duration budget, long atNanos, LongSupplier clock) {
    this.budget = budget;
    this.atNanos = atNanos;
    this.clock = clock;
  }

  /** No deadline: {@link #remaining()} is effectively unbounded and {@link #expired()} never true. */
  public static Deadline none() {
    return NONE;
  }

  /**
   * The deadline {@code budget} from now.
   *
   * @throws IllegalArgumentException if {@code budget} is negative
   */
  public static Deadline after(Duration budget) {
    return after(budget, System::nanoTime);
  }

  /**
   * As {@link #after(Duration)}, on the given nanosecond clock (tests and simulations that move time
   * themselves).
   */
  public static Deadline after(Duration budget, LongSupplier nanoClock) {
    Objects.requireNonNull(budget, "budget");
    if (budget.isNegative()) {
      throw new IllegalArgumentException("a deadline budget must not be negative: " + budget);
    }
    long nanos = budget.compareTo(UNBOUNDED) > 0 ? Long.MAX_VALUE / 4 : budget.toNanos();
    return new Deadline(budget, nanoClock.getAsLong() + nanos, nanoClock);
  }

  /** Whether there is a deadline at all. */
  public boolean isSet() {
    return budget != null;
  }

  /**
   * The time left, zero once it has passed; for {@link #none()} a duration longer than any run
   * ({@link #UNBOUNDED}).
   */
  public Duration remaining() {
    if (budget == null) {
      return UNBOUNDED;
    }
    long left = atNanos - clock.getAsLong();
    return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
  }

  /** True once the deadline has passed (never for {@link #none()}). */
  public boolean expired() {
    return budget != null && atNanos - clock.getAsLong() <= 0;
  }

  /** {@code d}, or the time left if that is shorter. */
  public Duration cap(Duration d) {
    Duration left = remaining();
    return d.compareTo(left) > 0 ? left : d;
  }

  /**
   * Throws a {@link DeadlineExceededException} saying {@code what} was stopped if the deadline has
   * passed; does nothing otherwise.
   *
   * @param what what was being done, e.g. "index image 127.0.0.1:5000/app:v1"
   */
  public void check(String what) {
    if (expired()) {
      throw exceeded(what, null);
    }
  }

  /** The failure of {@code what}, stopped by this deadline ({@code cause} may be null). */
  public DeadlineExceededException exceeded(String what, Throwable cause) {
    return new DeadlineExceededException(what + ": stopped, " + this + " passed", cause);
  }

  /** The budget this deadline was set with, e.g. 15m; null for {@link #none()}. */
  public Duration budget() {
    return budget;
  }

  /** {@code "the deadline (1m30s)"}, or {@code "no deadline"}. */
  @Override
  public String toString() {
    return budget == null ? "no deadline" : "the deadline (" + format(budget) + ")";
  }

  /** A duration as Go prints it, to the millisecond: {@code 1h2m3s}, {@code 1m30s}, {@code 300ms}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + "ms";
    }
    StringBuilder sb = new StringBuilder();
    long h = ms / 3_600_000;
    long m = ms / 60_000 % 60;
    long s = ms / 1000 % 60;
    long rest = ms % 1000;
    if (h > 0) {
      sb.append(h).append('h');
    }
    if (m > 0) {
      sb.append(m).append('m');
    }
    if (s > 0 || rest > 0) {
      sb.append(s);
      if (rest > 0) {
        sb.append('.').append(String.format("%03d", rest).replaceAll("0+$", ""));
      }
      sb.append('s');
    }
    return sb.toString();
  }
}
