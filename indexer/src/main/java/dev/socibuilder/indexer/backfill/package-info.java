/**
 * Backfill: indexing the images already in a registry. {@link dev.socibuilder.indexer.backfill.Backfill}
 * lists the repositories (the catalog, or one given repository) and their tags, applies the same
 * {@code REPOSITORY:TAG} filters as the AWS stack ({@link dev.socibuilder.filter.rules.FilterRules}), skips
 * the builder's own output and images whose SOCI index already exists, and runs the
 * {@link dev.socibuilder.indexer.IndexingService} on the rest with bounded concurrency; one
 * {@link dev.socibuilder.indexer.backfill.ImageResult} per image goes into the
 * {@link dev.socibuilder.indexer.backfill.BackfillReport}.
 */
package dev.socibuilder.indexer.backfill;
