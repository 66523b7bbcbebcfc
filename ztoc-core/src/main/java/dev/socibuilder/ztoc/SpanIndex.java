package dev.socibuilder.ztoc;

/** What {@code soci ztoc info} needs from a zInfo: its span size and the span of an offset. */
interface SpanIndex {
  long spanSize();

  int spanOf(long uncompressedOffset);
}
