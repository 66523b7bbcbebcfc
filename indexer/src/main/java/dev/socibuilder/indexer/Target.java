package dev.socibuilder.indexer;

import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.oci.ImageManifest;
import dev.socibuilder.oci.Platform;

/**
 * One platform's image manifest to index, as the source lists it.
 *
 * @param descriptor the manifest's descriptor in the source (the top manifest's own for a single image)
 * @param bytes the manifest's exact bytes (null until fetched)
 * @param manifest the parsed manifest (null until fetched)
 */
record Target(Platform platform, Descriptor descriptor, byte[] bytes, ImageManifest manifest) {}
