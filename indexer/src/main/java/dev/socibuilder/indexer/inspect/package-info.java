/**
 * Read-only inspection of an image's SOCI indexes: "is this image lazy-loadable?".
 * {@link dev.socibuilder.indexer.inspect.Inspector} finds, per platform, the v2 SOCI index (the
 * {@code <tag><suffix>} SOCI-enabled image, or the image itself when it is one) and the v1 indexes (referrers
 * API, or the {@code sha256-<hex>} referrers tag), reads each zTOC, and explains every layer without one; the
 * answer is an {@link dev.socibuilder.indexer.inspect.Inspection}.
 */
package dev.socibuilder.indexer.inspect;
