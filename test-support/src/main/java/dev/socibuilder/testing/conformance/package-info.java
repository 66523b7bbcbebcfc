/**
 * soci's conformance corpus (layers and the exact zTOC bytes soci-snapshotter v0.15 produced for them) and
 * its reader, {@link dev.socibuilder.testing.conformance.ConformanceCorpus}.
 */
package dev.socibuilder.testing.conformance;
