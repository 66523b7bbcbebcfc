package dev.socibuilder.cli;

import dev.socibuilder.cli.args.Command;
import dev.socibuilder.cli.args.CommandSpec;
import dev.socibuilder.cli.args.Option;
import dev.socibuilder.cli.args.Positional;
import dev.socibuilder.cli.args.Streams;
import dev.socibuilder.cli.args.UsageException;
import dev.socibuilder.indexer.IndexOptions;
import dev.socibuilder.indexer.IndexReport;
import dev.socibuilder.indexer.IndexingException;
import dev.socibuilder.indexer.IndexingService;
import dev.socibuilder.indexer.store.ImageStore;
import dev.socibuilder.indexer.store.LayoutImageStore;
import dev.socibuilder.indexer.store.OciLayout;
import dev.socibuilder.indexer.store.OciLayoutException;
import dev.socibuilder.indexer.store.RegistryImageStore;
import dev.socibuilder.registry.Deadline;
import dev.socibuilder.registry.DeadlineExceededException;
import dev.socibuilder.registry.ImageReference;
import dev.socibuilder.registry.RegistryClient;
import dev.socibuilder.registry.RegistryException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/** {@code soci-builder index IMAGE}: build an image's SOCI index and publish it next to the image. */
final class IndexCommand implements Command {
  private static final CommandSpec SPEC = CommandSpec.of("index",
      List.of("Build the SOCI index of an image and publish it: in the registry (v2: a SOCI-enabled image index "
              + "tagged TAG+suffix; v1: an index manifest found through the referrers API or the sha256-<hex> "
              + "referrers tag), or into the OCI image layout.",
          "IMAGE is REGISTRY/REPO:TAG, REGISTRY/REPO@sha256:..., or oci:DIR[:TAG] (an OCI image layout)."),
      options(),
      List.of(Positional.of("IMAGE", "The image to index.")));

  private static List<Option> options() {
    List<Option> options = new ArrayList<>(IndexingOptions.OPTIONS);
    options.addAll(RegistryOptions.OPTIONS);
    options.add(Option.flag("--json", "Print the report as JSON on stdout."));
    return options;
  }

  String image;

  final IndexingOptions indexing = new IndexingOptions();

  final RegistryOptions registryOptions = new RegistryOptions();

  boolean json;

  @Override
  public CommandSpec spec() {
    return SPEC;
  }

  @Override
  public void set(String key, String value) {
    if (indexing.set(key, value) || registryOptions.set(key, value)) {
      return;
    }
    switch (key) {
      case "IMAGE" -> image = value;
      case "--json" -> json = Boolean.parseBoolean(value);
      default -> Command.super.set(key, value);
    }
  }

  @Override
  public int run(Streams streams) throws IOException {
    IndexOptions options = indexing.toIndexOptions();
    registryOptions.validate();
    Deadline deadline = registryOptions.deadline(); // --timeout counts from here
    PrintWriter out = streams.out();
    IndexProgress listener = new IndexProgress();
    IndexingService service =
        new IndexingService(options, listener, indexing.ztocCache(System.getenv()), deadline);
    ImageArgument target;
    try {
      target = ImageArgument.parse(image);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    IndexReport report;
    try {
      if (target instanceof ImageArgument.Layout layout) {
        report = indexLayout(service, layout);
      } else {
        report = indexRegistry(service, ((ImageArgument.Registry) target).reference(), streams.err());
      }
    } catch (RegistryException e) {
      throw registryOptions.failure(e);
    } catch (IndexingException | OciLayoutException | DeadlineExceededException e) {
      throw new CliException(e.getMessage(), e);
    } finally {
      listener.close();
    }
    if (json) {
      out.println(report.toJson());
    } else {
      ReportText.print(out, report);
    }
    out.flush();
    return 0;
  }

  private IndexReport indexLayout(IndexingService service, ImageArgument.Layout image) {
    if (!Files.isDirectory(image.dir())) {
      throw new CliException("no OCI image layout at " + image.dir());
    }
    LayoutImageStore store = new LayoutImageStore(OciLayout.open(image.dir()));
    String tag = image.tag();
    if (tag == null && image.digest() == null) {
      tag = store.defaultTag();
    }
    return service.index(store, tag, image.digest());
  }

  private IndexReport indexRegistry(IndexingService service, ImageReference ref, PrintWriter err)
      throws IOException {
    RegistryClient registryClient;
    try {
      registryClient = registryOptions.client(ref.registry(), err);
    } catch (IllegalArgumentException e) {
      // The credentials' sources (e.g. a malformed ~/.docker/config.json) say what is wrong with them.
      throw new CliException(e.getMessage(), e);
    }
    try (RegistryClient client = registryClient) {
      ImageStore store = new RegistryImageStore(client, ref.registry(), ref.repository());
      return service.index(store, ref.tag(), ref.digest());
    }
  }
}
