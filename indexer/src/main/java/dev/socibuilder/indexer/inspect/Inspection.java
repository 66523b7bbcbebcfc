package dev.socibuilder.indexer.inspect;

import dev.socibuilder.json.GoJsonWriter;
import dev.socibuilder.oci.Platform;
import dev.socibuilder.oci.Platforms;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * What an image's SOCI indexes are: per platform image, every SOCI index found for it, each with its zTOCs
 * and the layers it has no zTOC for.
 *
 * @param image the image as given (store name and reference)
 * @param mediaType the media type of what the reference points at
 * @param digest its digest
 * @param sociEnabled whether the image is itself a SOCI-enabled image (its manifests carry
 *     {@code com.amazon.soci.index-digest}, as {@code <tag>-soci} does)
 * @param platforms one entry per platform image (build attestations and other artifacts left out)
 */
public record Inspection(
    String image, String mediaType, String digest, boolean sociEnabled, List<PlatformInspection> platforms) {

  public Inspection {
    Objects.requireNonNull(image, "image");
    platforms = List.copyOf(platforms);
  }

  /**
   * One platform image and its SOCI indexes (none: the platform is not lazy-loadable).
   *
   * @param notes why an index was not found where it was looked for (e.g. no {@code v1-soci} tag)
   */
  public record PlatformInspection(
      Platform platform, String manifestDigest, List<IndexFound> indexes, List<String> notes) {
    public PlatformInspection {
      indexes = List.copyOf(indexes);
      notes = List.copyOf(notes);
    }

    /** Whether some v2 SOCI index covers this platform (soci-snapshotter ≥ 0.10 uses only v2 by default). */
    public boolean hasV2() {
      return indexes.stream().anyMatch(i -> i.version().equals("v2") && i.problem() == null);
    }
  }

  /**
   * One SOCI index of a platform image.
   *
   * @param version {@code v2} or {@code v1}
   * @param digest the SOCI index manifest's digest
   * @param foundThrough how it was found: {@code tag v1-soci}, {@code referrers} (the referrers API, or an
   *     OCI layout's {@code index.json}), {@code referrers tag sha256-...}, or the image's own annotation
   * @param imageIndexDigest v2 found through a tag: the SOCI-enabled image index's digest, else null
   * @param buildTool the index's {@code com.amazon.soci.build-tool-identifier}, or null
   * @param problem why the index is unusable (missing, not a SOCI index), or null
   */
  public record IndexFound(
      String version, String digest, String foundThrough, String imageIndexDigest, String buildTool,
      String problem, List<ZtocFound> ztocs, List<LayerWithoutZtoc> layersWithoutZtoc) {
    public IndexFound {
      ztocs = List.copyOf(ztocs);
      layersWithoutZtoc = List.copyOf(layersWithoutZtoc);
    }
  }

  /**
   * A zTOC of a SOCI index. {@code spanSize}, {@code spans} and {@code files} are -1 and {@code problem}
   * says why when the zTOC cannot be read.
   *
   * @param files the number of tar entries in its table of contents (soci's {@code num_files})
   */
  public record ZtocFound(
      String layerDigest, long layerSize, String ztocDigest, long ztocSize, long spanSize, int spans, int files,
      String problem) {}

  /** A layer of the image that has no zTOC in an index, and why. */
  public record LayerWithoutZtoc(String layerDigest, long size, String mediaType, String reason) {}

  /** Whether every platform has a usable SOCI index v2. */
  public boolean lazyLoadable() {
    return !platforms.isEmpty() && platforms.stream().allMatch(PlatformInspection::hasV2);
  }

  /** The inspection as compact JSON (for {@code soci-builder inspect --json}). */
  public String toJson() {
    GoJsonWriter w = new GoJsonWriter().beginObject();
    w.name("image").value(image);
    w.name("mediaType").value(mediaType);
    w.name("digest").value(digest);
    w.name("sociEnabled").value(sociEnabled);
    w.name("lazyLoadable").value(lazyLoadable());
    w.name("platforms").beginArray();
    for (PlatformInspection p : platforms) {
      w.beginObject();
      w.name("platform").value(p.platform() == null ? "" : Platforms.format(p.platform()));
      w.name("manifestDigest").value(p.manifestDigest());
      w.name("indexes").beginArray();
      for (IndexFound i : p.indexes()) {
        w.beginObject();
        w.name("version").value(i.version());
        w.name("digest").value(i.digest());
        w.name("foundThrough").value(i.foundThrough());
        nullable(w.name("imageIndexDigest"), i.imageIndexDigest());
        nullable(w.name("buildTool"), i.buildTool());
        nullable(w.name("problem"), i.problem());
        w.name("ztocs").beginArray();
        for (ZtocFound z : i.ztocs()) {
          w.beginObject()
              .name("layerDigest").value(z.layerDigest())
              .name("layerSize").value(z.layerSize())
              .name("ztocDigest").value(z.ztocDigest())
              .name("ztocSize").value(z.ztocSize())
              .name("spanSize").value(z.spanSize())
              .name("spans").value(z.spans())
              .name("files").value(z.files());
          nullable(w.name("problem"), z.problem());
          w.endObject();
        }
        w.endArray();
        w.name("layersWithoutZtoc").beginArray();
        for (LayerWithoutZtoc l : i.layersWithoutZtoc()) {
          w.beginObject()
              .name("layerDigest").value(l.layerDigest())
              .name("size").value(l.size())
              .name("mediaType").value(l.mediaType())
              .name("reason").value(l.reason())
              .endObject();
        }
        w.endArray();
        w.endObject();
      }
      w.endArray();
      w.name("notes").stringList(p.notes());
      w.endObject();
    }
    w.endArray();
    w.endObject();
    return new String(w.toByteArray(), StandardCharsets.UTF_8);
  }

  private static void nullable(GoJsonWriter w, String value) {
    if (value == null) {
      w.nullValue();
    } else {
      w.value(value);
    }
  }
}
