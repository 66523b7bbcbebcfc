package dev.socibuilder.indexer;

import dev.socibuilder.indexer.IndexReport.PlatformReport;
import dev.socibuilder.indexer.IndexReport.SkippedLayer;
import dev.socibuilder.indexer.IndexReport.ZtocReport;
import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.soci.LayerSelection;
import dev.socibuilder.soci.SociIndex;
import dev.socibuilder.soci.ZtocDescriptor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which layers get a zTOC (each distinct layer once, even if platforms share it), and, once they are
 * built, each platform's SOCI index manifest and report.
 */
final class IndexPlan {

  /** One platform's SOCI index manifest, ready to publish. */
  record PlatformIndex(Target target, byte[] bytes, Descriptor descriptor) {}

  /** The SOCI indexes to publish (platforms with at least one zTOC) and a report for every platform. */
  record Indexes(List<PlatformIndex> indexes, List<PlatformReport> reports) {}

  private final IndexOptions options;
  private final List<Target> targets;

  IndexPlan(IndexOptions options, List<Target> targets) {
    this.options = options;
    this.targets = List.copyOf(targets);
  }

  /** The distinct layers to build, keyed by digest, in manifest order. */
  Map<String, Descriptor> layersToBuild() {
    Map<String, Descriptor> toBuild = new LinkedHashMap<>();
    for (Target t : targets) {
      for (Descriptor layer : t.manifest().layers()) {
        if (LayerSelection.classify(layer, options.minLayerSize()).indexed()) {
          toBuild.putIfAbsent(layer.digest(), layer);
        }
      }
    }
    return toBuild;
  }

  /** The reports with each zTOC's final report (after publishing), by layer digest. */
  static List<PlatformReport> withFinalZtocs(List<PlatformReport> reports, Map<String, ZtocReport> finals) {
    List<PlatformReport> out = new ArrayList<>();
    for (PlatformReport p : reports) {
      List<ZtocReport> ztocs = new ArrayList<>();
      for (ZtocReport z : p.ztocs()) {
        ztocs.add(finals.getOrDefault(z.layerDigest(), z));
      }
      out.add(new PlatformReport(p.platform(), p.manifestDigest(), p.sociIndexDigest(), ztocs, p.skipped()));
    }
    return out;
  }

  /** Each platform's SOCI index over the built zTOCs. */
  Indexes indexes(Map<String, LayerBuilds.Built> built) {
    List<PlatformReport> reports = new ArrayList<>();
    List<PlatformIndex> indexes = new ArrayList<>();
    for (Target t : targets) {
      List<ZtocDescriptor> ztocs = new ArrayList<>();
      List<ZtocReport> ztocReports = new ArrayList<>();
      List<SkippedLayer> skipped = new ArrayList<>();
      for (Descriptor layer : t.manifest().layers()) {
        LayerSelection sel = LayerSelection.classify(layer, options.minLayerSize());
        if (sel.indexed()) {
          LayerBuilds.Built b = built.get(layer.digest());
          ztocs.add(new ZtocDescriptor(layer.digest(), layer.mediaType(), b.digest().toString(), b.bytes().length,
              options.spanSize(), options.disablesXattrs() && b.xattrFree()));
          ztocReports.add(b.report());
        } else if (sel.decision() != LayerSelection.Decision.IGNORE_PREFETCH) {
          skipped.add(new SkippedLayer(layer.digest(), layer.size(), layer.mediaType(),
              sel.reason(layer, options.minLayerSize())));
        }
      }
      Descriptor indexDesc = null;
      if (!ztocs.isEmpty()) {
        Descriptor subject = options.version() == SociIndex.Version.V1 ? t.descriptor().withoutExtras() : null;
        byte[] indexBytes = SociIndex.build(options.version(), ztocs, subject, options.buildTool());
        indexDesc = SociIndex.descriptor(indexBytes, options.version());
        indexes.add(new PlatformIndex(t, indexBytes, indexDesc));
      }
      reports.add(new PlatformReport(t.platform(), t.descriptor().digest(),
          indexDesc == null ? null : indexDesc.digest(), ztocReports, skipped));
    }
    return new Indexes(indexes, reports);
  }
}
