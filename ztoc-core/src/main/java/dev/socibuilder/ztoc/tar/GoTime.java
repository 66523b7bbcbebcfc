package dev.socibuilder.ztoc.tar;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * Go's {@code time.Time.MarshalText()} for the times soci writes into a zTOC's {@code mod_time}
 * (soci-format.md §3.5).
 *
 * <p>Go builds the header time with {@code time.Unix(sec, nsec)}, which is in the process's local
 * zone, so the text depends on the zone of the machine running soci: reference outputs use UTC.
 */
public final class GoTime {
  /** 0000-01-01T00:00:00Z, the first instant Go can marshal in UTC. */
  private static final long YEAR_0_START = -62_167_219_200L;
  /** 9999-12-31T23:59:59Z, the last whole second Go can marshal in UTC. */
  private static final long YEAR_9999_END = 253_402_300_799L;
  /** More than any zone offset (Java allows ±18 h), so the exact year check decides near the ends. */
  private static final long MARGIN = 2 * 86_400L;

  private GoTime() {}

  /**
   * Returns {@code time.Unix(seconds, nanos).In(zone).MarshalText()}: layout
   * {@code 2006-01-02T15:04:05.999999999Z07:00}, i.e. RFC 3339 with the fraction only when
   * non-zero and its trailing zeros trimmed, {@code Z} when the zone's offset at that instant is 0,
   * otherwise {@code ±hh:mm} (Go truncates any seconds of the offset, as for historical LMT zones).
   *
   * <p>Go fails when the year in that zone is outside [0, 9999] and soci then stores an empty
   * string: this method returns an empty array in that case.
   *
   * @param nanos normalised as {@code time.Unix} does when outside [0, 1e9)
   */
  public static byte[] marshalText(long seconds, int nanos, ZoneId zone) {
    long sec = seconds;
    long nsec = nanos;
    if (nsec < 0 || nsec >= 1_000_000_000L) {
      // time.Unix normalisation (wrapping like Go's int64 arithmetic).
      long n = nsec / 1_000_000_000L;
      sec += n;
      nsec -= n * 1_000_000_000L;
      if (nsec < 0) {
        nsec += 1_000_000_000L;
        sec--;
      }
    }
    if (sec < YEAR_0_START - MARGIN || sec > YEAR_9999_END + MARGIN) {
      return new byte[0];
    }
    ZonedDateTime t = Instant.ofEpochSecond(sec, nsec).atZone(zone);
    int year = t.getYear();
    if (year < 0 || year > 9999) {
      return new byte[0];
    }
    byte[] out = new byte[35];
    int p = 0;
    p = digits(out, p, year, 4);
    out[p++] = '-';
    p = digits(out, p, t.getMonthValue(), 2);
    out[p++] = '-';
    p = digits(out, p, t.getDayOfMonth(), 2);
    out[p++] = 'T';
    p = digits(out, p, t.getHour(), 2);
    out[p++] = ':';
    p = digits(out, p, t.getMinute(), 2);
    out[p++] = ':';
    p = digits(out, p, t.getSecond(), 2);
    int frac = t.getNano();
    if (frac != 0) {
      int width = 9;
      while (frac % 10 == 0) {
        frac /= 10;
        width--;
      }
      out[p++] = '.';
      p = digits(out, p, frac, width);
    }
    int offset = t.getOffset().getTotalSeconds();
    if (offset == 0) {
      out[p++] = 'Z';
    } else {
      // Go: zone := offset / 60 (truncated toward zero), sign from zone, then hh:mm.
      int minutes = offset / 60;
      if (minutes < 0) {
        out[p++] = '-';
        minutes = -minutes;
      } else {
        out[p++] = '+';
      }
      p = digits(out, p, minutes / 60, 2);
      out[p++] = ':';
      p = digits(out, p, minutes % 60, 2);
    }
    return java.util.Arrays.copyOf(out, p);
  }

  private static int digits(byte[] out, int p, int value, int width) {
    for (int i = width - 1; i >= 0; i--) {
      out[p + i] = (byte) ('0' + value % 10);
      value /= 10;
    }
    return p + width;
  }
}
