package dev.socibuilder.ztoc;

/**
 * A zTOC build passed one of its {@link ZtocLimits}: the layer may be valid, but its zTOC would hold
 * more than the limit allows. The message is one line naming the limit, its value and how to raise it.
 */
public final class ZtocLimitException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String limit;
  private final long value;

  private ZtocLimitException(String limit, long value, String what) {
    super(what + " (zTOC limit " + limit + "=" + value + ")");
    this.limit = limit;
    this.value = value;
  }

  /** The limit's name, as {@link ZtocLimits#parse} reads it (e.g. {@code toc-entries}). */
  public String limit() {
    return limit;
  }

  /** The limit's value. */
  public long value() {
    return value;
  }

  static ZtocLimitException tocEntries(long max, long uncompressedOffset) {
    return new ZtocLimitException(ZtocLimits.TOC_ENTRIES, max,
        "the layer has more than " + max + " tar entries, at uncompressed offset " + uncompressedOffset);
  }

  static ZtocLimitException xattrBytes(long max, long uncompressedOffset) {
    return new ZtocLimitException(ZtocLimits.XATTR_BYTES, max,
        "the layer's PAX records (xattrs) exceed " + max + " bytes, at uncompressed offset " + uncompressedOffset);
  }

  static ZtocLimitException ztocBytes(long max, long size) {
    return new ZtocLimitException(ZtocLimits.ZTOC_BYTES, max,
        "the zTOC would exceed " + max + " bytes (it is at least " + size + ")");
  }
}
