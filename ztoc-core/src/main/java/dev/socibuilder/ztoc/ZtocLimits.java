package dev.socibuilder.ztoc;

import java.util.Locale;

/**
 * Bounds on one zTOC build, so that a hostile layer fails with one clear line instead of exhausting
 * memory. A layer's zTOC grows with what the layer declares, not with its size: a gzip layer of a few
 * hundred kB can expand to hundreds of MB of tar headers and PAX records, all of which soci records.
 * A build holds about the zTOC's size twice at its peak (the packed entries and the encoded bytes), so
 * {@link #maxZtocBytes} also bounds its memory. The defaults are far above any real image.
 *
 * <p>Written and parsed as {@code toc-entries=N,xattr-bytes=N,ztoc-bytes=N,min-span-size=N} (sizes may
 * end in {@code KiB}, {@code MiB} or {@code GiB}); see {@link #parse}.
 *
 * @param maxTocEntries most tar entries a layer may have (each is one zTOC entry)
 * @param maxXattrBytes most bytes of PAX record keys and values over the whole layer (soci stores every
 *     PAX record of every entry in the zTOC, not only {@code SCHILY.xattr.*})
 * @param maxZtocBytes largest zTOC; at most {@value #MAX_ZTOC_BYTES} (a FlatBuffer, like a Java array,
 *     stops at 2 GiB)
 * @param minSpanSize smallest span size accepted. soci only requires a span size ≥ 0, but every gzip
 *     span stores a 32 KiB window and every span a 76-byte digest, so tiny spans only blow the zTOC up:
 *     with 1-byte spans a hostile gzip stream of tiny deflate blocks gets a 32 KiB checkpoint for every
 *     few bytes of tar. The default {@value #DEFAULT_MIN_SPAN_SIZE} is four times below the smallest
 *     span of soci's own conformance corpus (4 KiB), so small-span experiments keep working; and for
 *     ordinary gzip data spans that small already add nothing: a checkpoint is only taken at a deflate
 *     block boundary, and zlib's blocks (16 K symbols or more) inflate to more than 1 KiB, so every
 *     boundary is a checkpoint already.
 */
public record ZtocLimits(long maxTocEntries, long maxXattrBytes, long maxZtocBytes, long minSpanSize) {
  /** The largest zTOC a Java array (and a Go FlatBuffer) can hold. */
  public static final long MAX_ZTOC_BYTES = Integer.MAX_VALUE - 8;
  /** Default of {@link #maxTocEntries}: 4 Mi entries (real layers have at most a few hundred thousand). */
  public static final long DEFAULT_MAX_TOC_ENTRIES = 1L << 22;
  /** Default of {@link #maxXattrBytes}: 256 MiB (real layers: a few MB, e.g. SELinux labels on every file). */
  public static final long DEFAULT_MAX_XATTR_BYTES = 256L << 20;
  /** Default of {@link #maxZtocBytes}: 512 MiB (a 50 GB layer's zTOC at 4 MiB spans is about 400 MB). */
  public static final long DEFAULT_MAX_ZTOC_BYTES = 512L << 20;
  /** Default of {@link #minSpanSize}: 1 KiB. */
  public static final long DEFAULT_MIN_SPAN_SIZE = 1024;

  /** The defaults. */
  public static final ZtocLimits DEFAULTS =
      new ZtocLimits(DEFAULT_MAX_TOC_ENTRIES, DEFAULT_MAX_XATTR_BYTES, DEFAULT_MAX_ZTOC_BYTES, DEFAULT_MIN_SPAN_SIZE);

  /** The option names, as {@link #parse} and {@link #toString} write them. */
  static final String TOC_ENTRIES = "toc-entries";
  static final String XATTR_BYTES = "xattr-bytes";
  static final String ZTOC_BYTES = "ztoc-bytes";
  static final String MIN_SPAN_SIZE = "min-span-size";

  /** @throws IllegalArgumentException if a limit is not positive or the zTOC limit is above 2 GiB */
  public ZtocLimits {
    positive(TOC_ENTRIES, maxTocEntries);
    positive(XATTR_BYTES, maxXattrBytes);
    positive(ZTOC_BYTES, maxZtocBytes);
    positive(MIN_SPAN_SIZE, minSpanSize);
    if (maxTocEntries > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(TOC_ENTRIES + " must be at most " + Integer.MAX_VALUE);
    }
    if (maxZtocBytes > MAX_ZTOC_BYTES) {
      throw new IllegalArgumentException(ZTOC_BYTES + " must be at most " + MAX_ZTOC_BYTES);
    }
  }

  /**
   * {@link #DEFAULTS} with the limits named in {@code spec} changed: comma-separated {@code name=value}
   * pairs, names {@code toc-entries}, {@code xattr-bytes}, {@code ztoc-bytes} and {@code min-span-size},
   * values decimal, sizes optionally ending in {@code KiB}, {@code MiB} or {@code GiB}. An empty spec
   * gives the defaults.
   *
   * @throws IllegalArgumentException naming the bad pair
   */
  public static ZtocLimits parse(String spec) {
    return DEFAULTS.with(spec);
  }

  /** These limits with those named in {@code spec} changed (the syntax of {@link #parse}). */
  public ZtocLimits with(String spec) {
    long entries = maxTocEntries;
    long xattrs = maxXattrBytes;
    long ztoc = maxZtocBytes;
    long span = minSpanSize;
    for (String pair : spec.split(",", -1)) {
      String p = pair.strip();
      if (p.isEmpty() && spec.isBlank()) {
        continue;
      }
      int eq = p.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("limit '" + p + "' is not NAME=VALUE (names: " + names() + ")");
      }
      String name = p.substring(0, eq).strip().toLowerCase(Locale.ROOT);
      long value = size(name, p.substring(eq + 1).strip());
      switch (name) {
        case TOC_ENTRIES -> entries = value;
        case XATTR_BYTES -> xattrs = value;
        case ZTOC_BYTES -> ztoc = value;
        case MIN_SPAN_SIZE -> span = value;
        default -> throw new IllegalArgumentException("unknown limit '" + name + "' (names: " + names() + ")");
      }
    }
    return new ZtocLimits(entries, xattrs, ztoc, span);
  }

  /**
   * Checks a span size against {@link #minSpanSize}.
   *
   * @throws IllegalArgumentException if it is smaller
   */
  public void checkSpanSize(long spanSize) {
    if (spanSize < minSpanSize) {
      throw new IllegalArgumentException("span size " + spanSize + " is below the minimum of " + minSpanSize
          + " bytes (limit " + MIN_SPAN_SIZE + "): every gzip span stores a 32 KiB checkpoint, so tiny spans "
          + "only make the zTOC huge");
    }
  }

  /** {@code toc-entries=N,xattr-bytes=N,ztoc-bytes=N,min-span-size=N}, which {@link #parse} reads back. */
  @Override
  public String toString() {
    return TOC_ENTRIES + "=" + maxTocEntries + "," + XATTR_BYTES + "=" + maxXattrBytes + "," + ZTOC_BYTES + "="
        + maxZtocBytes + "," + MIN_SPAN_SIZE + "=" + minSpanSize;
  }

  private static String names() {
    return String.join(", ", TOC_ENTRIES, XATTR_BYTES, ZTOC_BYTES, MIN_SPAN_SIZE);
  }

  private static long size(String name, String text) {
    long unit = 1;
    String digits = text;
    for (String[] suffix : new String[][] {{"KiB", "10"}, {"MiB", "20"}, {"GiB", "30"}}) {
      if (text.endsWith(suffix[0])) {
        unit = 1L << Integer.parseInt(suffix[1]);
        digits = text.substring(0, text.length() - 3).strip();
      }
    }
    if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException("limit " + name + "=" + text + " is not a number (of bytes, or with "
          + "KiB, MiB or GiB)");
    }
    try {
      return Math.multiplyExact(Long.parseLong(digits), unit);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("limit " + name + "=" + text + " is too large");
    }
  }

  private static void positive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException("limit " + name + " must be positive, got " + value);
    }
  }
}
