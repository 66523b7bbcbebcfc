package dev.socibuilder.cli;

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
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code soci-builder backfill REGISTRY[/REPOSITORY]}: index the images already in a registry. */
@Command(
    name = "backfill",
    mixinStandardHelpOptions = true,
    description = {
      "Index the images already in a registry: every tag of every repository of its catalog (or of the one "
          + "repository given) that the filters select, except the builder's own output and images that already "
          + "have a SOCI index (for v2: whose TAG+suffix tag exists). Exits 1 if any image failed.",
      "REGISTRY is a host[:port]; with /REPOSITORY only that repository is backfilled (needed for registries "
          + "that do not list their repositories)."
    })
final class BackfillCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "REGISTRY[/REPOSITORY]", description = "What to backfill.")
  String target;

  @Option(names = "--filters", paramLabel = "LIST", defaultValue = FilterRules.DEFAULT,
      description = "Comma-separated REPOSITORY:TAG globs (* and ?), a leading ! excludes, the last match "
          + "decides: the stack's RepositoryImageTagFilters syntax (default: ${DEFAULT-VALUE}).")
  String filters;

  @Option(names = "--dry-run", description = "List what would be indexed; push nothing.")
  boolean dryRun;

  @Option(names = "--concurrency", paramLabel = "N",
      description = "Images indexed at once (default: the number of processors).")
  Integer concurrency;

  @Option(names = "--page-size", paramLabel = "N", defaultValue = "100", hidden = true,
      description = "Names asked per catalog or tag-list page (default: ${DEFAULT-VALUE}).")
  int pageSize;

  @Option(names = "--json", description = "Print the report as JSON on stdout: every image with its outcome.")
  boolean json;

  @CommandLine.Mixin IndexingOptions indexing;

  @CommandLine.Mixin RegistryOptions registryOptions;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** REGISTRY[/REPOSITORY], with Docker Hub's names mapped as image references map them. */
  record Target(String registry, String repository) {}

  @Override
  public Integer call() throws IOException {
    Deadline deadline = registryOptions.deadline(); // --timeout counts from here
    IndexOptions options = indexing.toIndexOptions(spec);
    registryOptions.validate(spec);
    IndexingService indexer = new IndexingService(options, null, indexing.ztocCache(System.getenv()), deadline);
    Target t = parseTarget();
    BackfillOptions backfill = backfillOptions();
    PrintWriter out = spec.commandLine().getOut();
    BackfillReport report;
    try (RegistryClient client = registryOptions.client(t.registry());
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
      throw IndexingOptions.usage(spec, "--filters: " + e.getMessage());
    }
    BackfillOptions b = BackfillOptions.defaults().withFilters(rules).withDryRun(dryRun);
    try {
      if (concurrency != null) {
        b = b.withConcurrency(concurrency);
      }
      return b.withListing(Listing.defaults().withPageSize(pageSize));
    } catch (IllegalArgumentException e) {
      throw IndexingOptions.usage(spec, e.getMessage());
    }
  }

  private Target parseTarget() {
    String s = target.strip();
    if (s.contains("@") || s.startsWith("oci:")) {
      throw IndexingOptions.usage(spec, "backfill takes REGISTRY[/REPOSITORY] (a registry host), not " + target);
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
      throw IndexingOptions.usage(spec, "invalid REGISTRY[/REPOSITORY] '" + target + "': " + e.getMessage()
          + (repository != null && repository.contains(":") ? " (give a repository, without a tag)" : ""));
    }
    return new Target(registry, repository);
  }
}
