package dev.socibuilder.cli;

import dev.socibuilder.indexer.inspect.Inspection;
import dev.socibuilder.oci.Platforms;
import java.io.PrintWriter;

/** An inspection as text for people (the {@code --json} form is {@link Inspection#toJson()}). */
final class InspectText {
  private InspectText() {}

  /** The image, whether it is lazy-loadable, and per platform its indexes, zTOCs, layers without one, notes. */
  static void print(PrintWriter out, Inspection r) {
    out.printf("%s (%s %s)%n", r.image(), r.mediaType(), r.digest());
    if (r.sociEnabled()) {
      out.println("  a SOCI-enabled image: point the runtime at this reference");
    }
    out.println("  lazy-loadable: " + (r.lazyLoadable() ? "yes, every platform has a SOCI index v2"
        : r.platforms().stream().allMatch(p -> !p.indexes().isEmpty())
            ? "only through SOCI indexes v1 (soci-snapshotter >= 0.10 ignores them unless configured to use them)"
            : "no"));
    for (Inspection.PlatformInspection p : r.platforms()) {
      out.printf("  %s  manifest %s%n", p.platform() == null ? "?" : Platforms.format(p.platform()), p.manifestDigest());
      for (Inspection.IndexFound i : p.indexes()) {
        out.printf("    SOCI index %s %s (%s%s%s)%n", i.version(), i.digest(), i.foundThrough(),
            i.imageIndexDigest() != null ? ", image index " + i.imageIndexDigest() : "",
            i.buildTool() != null ? ", built by " + i.buildTool() : "");
        if (i.problem() != null) {
          out.println("      unusable: " + i.problem());
        }
        for (Inspection.ZtocFound z : i.ztocs()) {
          if (z.problem() != null && z.spans() < 0) {
            out.printf("      zTOC %s for layer %s: %s%n", z.ztocDigest(), z.layerDigest(), z.problem());
            continue;
          }
          out.printf("      zTOC %s for layer %s (%s): %d span%s of %s, %d files, zTOC %s%s%n", z.ztocDigest(),
              z.layerDigest(), ReportText.human(z.layerSize()), z.spans(), z.spans() == 1 ? "" : "s",
              binary(z.spanSize()), z.files(), ReportText.human(z.ztocSize()),
              z.problem() != null ? " - " + z.problem() : "");
        }
        for (Inspection.LayerWithoutZtoc l : i.layersWithoutZtoc()) {
          out.printf("      no zTOC for layer %s (%s): %s%n", l.layerDigest(), ReportText.human(l.size()), l.reason());
        }
      }
      for (String note : p.notes()) {
        out.println("    " + note);
      }
    }
  }

  /** A span size as set: {@code 4 MiB}, {@code 64 KiB}, or bytes. */
  static String binary(long bytes) {
    if (bytes > 0 && bytes % (1 << 20) == 0) {
      return bytes / (1 << 20) + " MiB";
    }
    if (bytes > 0 && bytes % 1024 == 0) {
      return bytes / 1024 + " KiB";
    }
    return bytes + " B";
  }
}
