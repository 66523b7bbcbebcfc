/**
 * The zTOC cache: a zTOC depends only on the layer's bytes, the span size, the build tool identifier,
 * the compression and the time zone ({@link dev.socibuilder.indexer.cache.CacheKey}), so a layer shared by
 * many images or repositories needs to be indexed once. {@link dev.socibuilder.indexer.cache.ZtocCache}
 * stores opaque entries by key id (a folder: {@link dev.socibuilder.indexer.cache.DirectoryZtocCache}; S3
 * in the Lambda); {@link dev.socibuilder.indexer.cache.CacheEntry} is what an entry holds and how it is
 * verified before use.
 */
package dev.socibuilder.indexer.cache;
