package dev.socibuilder.cli;

import dev.socibuilder.indexer.IndexReport;
import dev.socibuilder.oci.Platforms;
import java.io.PrintWriter;

/** Indexing reports as text for people (the {@code --json} form is {@link IndexReport#toJson()}). */
final class ReportText {
  private ReportText() {}

  /** The report of one image: outcome, per platform the SOCI index, zTOCs and skipped layers. */
  static void print(PrintWriter out, IndexReport r) {
    String what = switch (r.outcome()) {
      case INDEXED -> "Indexed";
      case ALREADY_INDEXED -> "Already indexed";
      case SOCI_ENABLED_IMAGE -> "Left alone";
      case NOTHING_TO_INDEX -> "Nothing to index in";
      case SUPERSEDED -> "Superseded (the tag moved on), not tagged:";
    };
    out.printf("%s %s (SOCI index %s) in %.1f s%n", what, r.image(), r.version(), r.duration().toMillis() / 1000.0);
    for (IndexReport.PlatformReport p : r.platforms()) {
      out.printf("  %s  manifest %s%n", p.platform() == null ? "?" : Platforms.format(p.platform()), p.manifestDigest());
      if (p.sociIndexDigest() != null) {
        out.printf("    SOCI index %s%n", p.sociIndexDigest());
      }
      for (IndexReport.ZtocReport z : p.ztocs()) {
        out.printf("    zTOC %s for layer %s (%s, %d span%s, zTOC %s%s)%n", z.ztocDigest(), z.layerDigest(),
            human(z.layerSize()), z.spans(), z.spans() == 1 ? "" : "s", human(z.ztocSize()), how(z));
        if (z.cacheProblem() != null) {
          out.printf("      zTOC cache: %s%n", z.cacheProblem());
        }
      }
      for (IndexReport.SkippedLayer s : p.skipped()) {
        out.printf("    skipped layer %s (%s): %s%n", s.layerDigest(), human(s.size()), s.reason());
      }
    }
    if (r.imageIndexDigest() != null) {
      out.printf("  SOCI-enabled image index %s%s%n", r.imageIndexDigest(),
          r.tag() != null ? " tagged " + r.tag() : " (pushed by digest only)");
    }
    if (r.outcome() != IndexReport.Outcome.INDEXED) {
      out.println("  " + r.message());
    }
  }

  /** {@code ", reused from the zTOC cache, blob mounted"}: what is not the default (built, uploaded). */
  private static String how(IndexReport.ZtocReport z) {
    String how = z.source() == IndexReport.ZtocSource.CACHED ? ", reused from the zTOC cache" : "";
    if (z.blob() == IndexReport.BlobOutcome.MOUNTED) {
      how += ", blob mounted";
    } else if (z.blob() == IndexReport.BlobOutcome.PRESENT) {
      how += ", blob already present";
    }
    return how;
  }

  /** A size for people: bytes, kB or MB (decimal). */
  static String human(long bytes) {
    if (bytes < 10_000) {
      return bytes + " B";
    }
    if (bytes < 10_000_000) {
      return String.format("%.1f kB", bytes / 1e3);
    }
    return String.format("%.1f MB", bytes / 1e6);
  }
}
