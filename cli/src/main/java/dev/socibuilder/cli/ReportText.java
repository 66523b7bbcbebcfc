package dev.socibuilder.cli;

import dev.socibuilder.indexer.IndexReport;
import dev.socibuilder.oci.Platforms;
import java.io.PrintWriter;

/** Indexing reports as text for people (the {@code --json} form is {@link IndexReport#toJson()}). */
final class ReportText {
  private static final String NL = System.lineSeparator();

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
    // Plain concatenation, not printf: a Formatter with %.1f loads the locale data, 30 ms of a cold start.
    out.print(what + " " + r.image() + " (SOCI index " + r.version() + ") in "
        + tenths(r.duration().toMillis() / 100.0) + " s" + NL);
    for (IndexReport.PlatformReport p : r.platforms()) {
      out.print("  " + (p.platform() == null ? "?" : Platforms.format(p.platform())) + "  manifest "
          + p.manifestDigest() + NL);
      if (p.sociIndexDigest() != null) {
        out.print("    SOCI index " + p.sociIndexDigest() + NL);
      }
      for (IndexReport.ZtocReport z : p.ztocs()) {
        out.print("    zTOC " + z.ztocDigest() + " for layer " + z.layerDigest() + " (" + human(z.layerSize()) + ", "
            + z.spans() + " span" + (z.spans() == 1 ? "" : "s") + ", zTOC " + human(z.ztocSize()) + how(z) + ")" + NL);
        if (z.cacheProblem() != null) {
          out.print("      zTOC cache: " + z.cacheProblem() + NL);
        }
      }
      for (IndexReport.SkippedLayer s : p.skipped()) {
        out.print("    skipped layer " + s.layerDigest() + " (" + human(s.size()) + "): " + s.reason() + NL);
      }
    }
    if (r.imageIndexDigest() != null) {
      out.print("  SOCI-enabled image index " + r.imageIndexDigest()
          + (r.tag() != null ? " tagged " + r.tag() : " (pushed by digest only)") + NL);
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
      return tenths(bytes / 100.0) + " kB";
    }
    return tenths(bytes / 100_000.0) + " MB";
  }

  /** {@code x / 10} with one decimal, {@code x} rounded half up: {@code tenths(1392.5)} is "139.3". */
  static String tenths(double x) {
    long t = Math.round(x);
    return t / 10 + "." + t % 10;
  }
}
