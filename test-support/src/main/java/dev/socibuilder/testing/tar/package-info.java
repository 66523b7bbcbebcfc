/** Tar pieces for the layers tests generate: USTAR header blocks as Go's archive/tar writes them. */
package dev.socibuilder.testing.tar;
