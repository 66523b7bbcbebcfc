/**
 * Faults in a layer's bytes, shared by the gzip inflater, the tar scanner and the zTOC builder. A leaf
 * package: the kernels ({@code ztoc.inflate}, {@code ztoc.tar}) and {@code ztoc} all depend on it, and it
 * depends on nothing, so no package cycle runs through the shared exception.
 */
package dev.socibuilder.layer;
