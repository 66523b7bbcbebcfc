/**
 * Checkpointing gzip inflate: a pure-Java DEFLATE decoder that reports zlib {@code Z_BLOCK}
 * boundaries (block ends and gzip header ends, with exact bit positions and the 32 KiB window), so
 * that soci's zInfo checkpoints (soci-format.md §4) can be built in the same single pass that feeds
 * the tar scanner, and so that files can be extracted by resuming at a checkpoint.
 *
 * <p>{@link dev.socibuilder.ztoc.inflate.ParallelGzipInflater} decodes one stream on several
 * threads with exactly the same results (rapidgzip's two-stage decoding: block finder, markers for
 * the unknown window, stitching in order), handing anything unusual back to the reference decoder.
 */
package dev.socibuilder.ztoc.inflate;
