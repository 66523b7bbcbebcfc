/**
 * The indexing service shared by the command line and the indexer Lambda: image → zTOCs → SOCI index →
 * publish. {@link dev.socibuilder.indexer.IndexingService} runs one image through small steps (resolve
 * the platform images, find an existing index, plan and build the zTOCs in a bounded pool, publish in an
 * order that never leaves a tag on something incomplete) and returns an
 * {@link dev.socibuilder.indexer.IndexReport}. Where images live is the
 * {@link dev.socibuilder.indexer.store} package's concern.
 */
package dev.socibuilder.indexer;
