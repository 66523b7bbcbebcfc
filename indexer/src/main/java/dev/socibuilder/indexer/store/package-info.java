/**
 * Where an image lives and where its SOCI artifacts go: {@link dev.socibuilder.indexer.store.ImageStore},
 * implemented by one repository of an OCI registry ({@link dev.socibuilder.indexer.store.RegistryImageStore})
 * and by an OCI image layout on disk ({@link dev.socibuilder.indexer.store.LayoutImageStore} over
 * {@link dev.socibuilder.indexer.store.OciLayout}). Every blob read is verified against its digest.
 */
package dev.socibuilder.indexer.store;
