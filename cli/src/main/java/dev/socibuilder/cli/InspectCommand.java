package dev.socibuilder.cli;

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
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code soci-builder inspect IMAGE}: the SOCI indexes an image has; changes nothing. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = {
      "Show whether an image is lazy-loadable: per platform its SOCI index v2 (the TAG+suffix SOCI-enabled image, "
          + "or the image itself if it is one) and v1 indexes (referrers API or sha256-<hex> referrers tag), each "
          + "zTOC (layer, span size, spans, files, size) and why the other layers have none. Read-only.",
      "IMAGE is REGISTRY/REPO:TAG, REGISTRY/REPO@sha256:..., or oci:DIR[:TAG] (an OCI image layout)."
    })
final class InspectCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "IMAGE", description = "The image to inspect.")
  String image;

  @Option(names = "--tag-suffix", paramLabel = "SUFFIX", defaultValue = "-soci",
      description = "v2: the SOCI-enabled image is looked for under TAG+SUFFIX (default: ${DEFAULT-VALUE}).")
  String tagSuffix;

  @Option(names = "--min-layer-size", paramLabel = "BYTES", defaultValue = "10485760",
      description = "The minimum layer size the indexes were built with, to explain layers without a zTOC "
          + "(default: ${DEFAULT-VALUE}).")
  long minLayerSize;

  @Option(names = "--json", description = "Print the inspection as JSON on stdout.")
  boolean json;

  @CommandLine.Mixin RegistryOptions registryOptions;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    registryOptions.validate(spec);
    if (minLayerSize < 0) {
      throw IndexingOptions.usage(spec, "--min-layer-size must be >= 0");
    }
    ImageArgument target;
    try {
      target = ImageArgument.parse(image);
    } catch (IllegalArgumentException e) {
      throw IndexingOptions.usage(spec, e.getMessage());
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
        try (RegistryClient client = registryOptions.client(ref.registry())) {
          inspection = inspector.inspect(new RegistryImageStore(client, ref.registry(), ref.repository()),
              ref.tag(), ref.digest());
        }
      }
    } catch (RegistryException e) {
      throw registryOptions.failure(e);
    } catch (IndexingException | OciLayoutException e) {
      throw new CliException(e.getMessage(), e);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(inspection.toJson());
    } else {
      InspectText.print(out, inspection);
    }
    out.flush();
    return 0;
  }
}
