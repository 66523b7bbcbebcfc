/**
 * Header-only tar scanning with the exact semantics of Go's {@code archive/tar} reader as soci's
 * zTOC builder uses it ({@link dev.socibuilder.ztoc.tar.TarScanner}), the entry values soci records
 * ({@link dev.socibuilder.ztoc.tar.TarEntry}, {@link dev.socibuilder.ztoc.tar.PaxRecord}), and Go's
 * time text for {@code mod_time} ({@link dev.socibuilder.ztoc.tar.GoTime}). See soci-format.md §3.
 */
package dev.socibuilder.ztoc.tar;
