package dev.socibuilder.cli;

import dev.socibuilder.cli.args.Command;
import dev.socibuilder.cli.args.CommandSpec;
import dev.socibuilder.cli.args.Option;
import dev.socibuilder.cli.args.Positional;
import dev.socibuilder.cli.args.Streams;
import dev.socibuilder.cli.args.UsageException;
import dev.socibuilder.cli.args.Values;
import dev.socibuilder.indexer.IndexingException;
import dev.socibuilder.indexer.inspect.Inspection;
import dev.socibuilder.indexer.inspect.Inspector;
import dev.socibuilder.indexer.store.LayoutImageStore;
import dev.socibuilder.indexer.store.OciLayout;
import dev.socibuilder.indexer.store.OciLayoutException;
import dev.socibuilder.indexer.store.RegistryImageStore;
import dev.socibuilder.registry.ImageReference;
import dev.socibuilder.registry.RegistryClient;
import dev.socibuilder.registry.RegistryException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/** {@code soci-builder inspect IMAGE}: the SOCI indexes an image has; changes nothing. */
final class InspectCommand implements Command {
  private static final CommandSpec SPEC = CommandSpec.of("inspect",
      List.of("Show whether an image is lazy-loadable: per platform its SOCI index v2 (the TAG+suffix SOCI-enabled "
              + "image, or the image itself if it is one) and v1 indexes (referrers API or sha256-<hex> referrers "
              + "tag), each zTOC (layer, span size, spans, files, size) and why the other layers have none. "
              + "Read-only.",
          "IMAGE is REGISTRY/REPO:TAG, REGISTRY/REPO@sha256:..., or oci:DIR[:TAG] (an OCI image layout)."),
      options(),
      List.of(Positional.of("IMAGE", "The image to inspect.")));

  private static List<Option> options() {
    List<Option> options = new ArrayList<>(List.of(
        Option.of("--tag-suffix", "SUFFIX",
            "v2: the SOCI-enabled image is looked for under TAG+SUFFIX (default: ${DEFAULT-VALUE}).")
            .withDefault("-soci"),
        Option.of("--min-layer-size", "BYTES", "The minimum layer size the indexes were built with, to explain "
            + "layers without a zTOC (default: ${DEFAULT-VALUE}).").withDefault("10485760"),
        Option.flag("--json", "Print the inspection as JSON on stdout.")));
    options.addAll(RegistryOptions.OPTIONS);
    return options;
  }

  String image;

  String tagSuffix;

  long minLayerSize;

  boolean json;

  final RegistryOptions registryOptions = new RegistryOptions();

  @Override
  public CommandSpec spec() {
    return SPEC;
  }

  @Override
  public void set(String key, String value) {
    if (registryOptions.set(key, value)) {
      return;
    }
    switch (key) {
      case "IMAGE" -> image = value;
      case "--tag-suffix" -> tagSuffix = value;
      case "--min-layer-size" -> minLayerSize = Values.toLong(value);
      case "--json" -> json = Boolean.parseBoolean(value);
      default -> Command.super.set(key, value);
    }
  }

  @Override
  public int run(Streams streams) throws IOException {
    registryOptions.validate();
    if (minLayerSize < 0) {
      throw new UsageException("--min-layer-size must be >= 0");
    }
    ImageArgument target;
    try {
      target = ImageArgument.parse(image);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    Inspector inspector = new Inspector(tagSuffix, minLayerSize);
    Inspection inspection;
    try {
      if (target instanceof ImageArgument.Layout layout) {
        if (!Files.isDirectory(layout.dir())) {
          throw new CliException("no OCI image layout at " + layout.dir());
        }
        LayoutImageStore store = new LayoutImageStore(OciLayout.open(layout.dir()));
        String tag = layout.tag();
        if (tag == null && layout.digest() == null) {
          tag = store.defaultTag();
        }
        inspection = inspector.inspect(store, tag, layout.digest());
      } else {
        ImageReference ref = ((ImageArgument.Registry) target).reference();
        try (RegistryClient client = registryOptions.client(ref.registry(), streams.err())) {
          inspection = inspector.inspect(new RegistryImageStore(client, ref.registry(), ref.repository()),
              ref.tag(), ref.digest());
        }
      }
    } catch (RegistryException e) {
      throw registryOptions.failure(e);
    } catch (IndexingException | OciLayoutException e) {
      throw new CliException(e.getMessage(), e);
    }
    PrintWriter out = streams.out();
    if (json) {
      out.println(inspection.toJson());
    } else {
      InspectText.print(out, inspection);
    }
    out.flush();
    return 0;
  }
}
