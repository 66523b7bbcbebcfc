package dev.socibuilder.cli;

import dev.socibuilder.cli.args.Command;
import dev.socibuilder.cli.args.CommandSpec;
import dev.socibuilder.cli.args.Option;
import dev.socibuilder.cli.args.Positional;
import dev.socibuilder.cli.args.Streams;
import dev.socibuilder.cli.args.UsageException;
import dev.socibuilder.cli.args.Values;
import dev.socibuilder.filter.rules.FilterRules;
import dev.socibuilder.filter.rules.FilterSyntaxException;
import dev.socibuilder.indexer.IndexOptions;
import dev.socibuilder.indexer.IndexingService;
import dev.socibuilder.indexer.backfill.Backfill;
import dev.socibuilder.indexer.backfill.BackfillOptions;
import dev.socibuilder.indexer.backfill.BackfillReport;
import dev.socibuilder.registry.Deadline;
import dev.socibuilder.registry.ImageReference;
import dev.socibuilder.registry.Listing;
import dev.socibuilder.registry.RegistryClient;
import dev.socibuilder.registry.RegistryException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** {@code soci-builder backfill REGISTRY[/REPOSITORY]}: index the images already in a registry. */
final class BackfillCommand implements Command {
  private static final CommandSpec SPEC = CommandSpec.of("backfill",
      List.of("Index the images already in a registry: every tag of every repository of its catalog (or of the one "
              + "repository given) that the filters select, except the builder's own output and images that already "
              + "have a SOCI index (for v2: whose TAG+suffix tag exists). Exits 1 if any image failed.",
          "REGISTRY is a host[:port]; with /REPOSITORY only that repository is backfilled (needed for registries "
              + "that do not list their repositories)."),
      options(),
      List.of(Positional.of("REGISTRY[/REPOSITORY]", "What to backfill.")));

  private static List<Option> options() {
    List<Option> options = new ArrayList<>(List.of(
        Option.of("--filters", "LIST", "Comma-separated REPOSITORY:TAG globs (* and ?), a leading ! excludes, the "
            + "last match decides: the stack's RepositoryImageTagFilters syntax (default: ${DEFAULT-VALUE}).")
            .withDefault(FilterRules.DEFAULT),
        Option.flag("--dry-run", "List what would be indexed; push nothing."),
        Option.of("--concurrency", "N", "Images indexed at once (default: the number of processors)."),
        Option.of("--page-size", "N", "Names asked per catalog or tag-list page (default: ${DEFAULT-VALUE}).")
            .withDefault("100").asHidden(),
        Option.flag("--json", "Print the report as JSON on stdout: every image with its outcome.")));
    options.addAll(IndexingOptions.OPTIONS);
    options.addAll(RegistryOptions.OPTIONS);
    return options;
  }

  String target;

  String filters;

  boolean dryRun;

  Integer concurrency;

  int pageSize;

  boolean json;

  final IndexingOptions indexing = new IndexingOptions();

  final RegistryOptions registryOptions = new RegistryOptions();

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
      case "REGISTRY[/REPOSITORY]" -> target = value;
      case "--filters" -> filters = value;
      case "--dry-run" -> dryRun = Boolean.parseBoolean(value);
      case "--concurrency" -> concurrency = Values.toInt(value);
      case "--page-size" -> pageSize = Values.toInt(value);
      case "--json" -> json = Boolean.parseBoolean(value);
      default -> Command.super.set(key, value);
    }
  }

  /** REGISTRY[/REPOSITORY], with Docker Hub's names mapped as image references map them. */
  record Target(String registry, String repository) {}

  @Override
  public int run(Streams streams) throws IOException {
    Deadline deadline = registryOptions.deadline(); // --timeout counts from here
    IndexOptions options = indexing.toIndexOptions();
    registryOptions.validate();
    IndexingService indexer = new IndexingService(options, null, indexing.ztocCache(System.getenv()), deadline);
    Target t = parseTarget();
    BackfillOptions backfill = backfillOptions();
    PrintWriter out = streams.out();
    BackfillReport report;
    try (RegistryClient client = registryOptions.client(t.registry(), streams.err());
        BackfillProgress progress = new BackfillProgress()) {
      report = new Backfill(client, indexer, backfill, progress).run(t.registry(), t.repository());
    } catch (RegistryException e) {
      throw registryOptions.failure(e);
    }
    if (json) {
      out.println(report.toJson());
    } else {
      BackfillText.print(out, report);
    }
    out.flush();
    return report.failures().isEmpty() ? 0 : Main.EXIT_FAILURE;
  }

  private BackfillOptions backfillOptions() {
    FilterRules rules;
    try {
      rules = FilterRules.parse(filters);
    } catch (FilterSyntaxException e) {
      throw new UsageException("--filters: " + e.getMessage());
    }
    BackfillOptions b = BackfillOptions.defaults().withFilters(rules).withDryRun(dryRun);
    try {
      if (concurrency != null) {
        b = b.withConcurrency(concurrency);
      }
      return b.withListing(Listing.defaults().withPageSize(pageSize));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private Target parseTarget() {
    String s = target.strip();
    if (s.contains("@") || s.startsWith("oci:")) {
      throw new UsageException("backfill takes REGISTRY[/REPOSITORY] (a registry host), not " + target);
    }
    int slash = s.indexOf('/');
    String registry = slash < 0 ? s : s.substring(0, slash);
    String repository = slash < 0 ? null : s.substring(slash + 1);
    if (registry.equals("docker.io") || registry.equals("index.docker.io")) {
      registry = ImageReference.DOCKER_HUB;
    }
    if (repository != null && registry.equals(ImageReference.DOCKER_HUB) && !repository.contains("/")) {
      repository = "library/" + repository;
    }
    try {
      new ImageReference(registry, repository == null ? "x" : repository, "latest", null);
    } catch (IllegalArgumentException e) {
      throw new UsageException("invalid REGISTRY[/REPOSITORY] '" + target + "': " + e.getMessage()
          + (repository != null && repository.contains(":") ? " (give a repository, without a tag)" : ""));
    }
    return new Target(registry, repository);
  }
}
