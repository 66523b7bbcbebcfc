package dev.socibuilder.registry.http;

import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * How long each read of a response body may wait for data, asked again before every read (so that it
 * can shrink towards a deadline), and the failure of a read that waited that long for nothing.
 */
public interface ReadGuard {
  /** The longest the next read may block; zero or less fails the read at once. */
  Duration nextReadLimit();

  /**
   * The failure of a read that received nothing within {@code limit} (the value {@link #nextReadLimit()}
   * gave for it).
   */
  HttpTimeoutException timedOut(Duration limit);
}
