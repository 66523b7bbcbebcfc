package dev.socibuilder.cli;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.indexer.IndexListener;
import dev.socibuilder.indexer.IndexOptions;
import dev.socibuilder.indexer.IndexReport;
import dev.socibuilder.indexer.IndexingException;
import dev.socibuilder.indexer.IndexingService;
import dev.socibuilder.indexer.store.ImageStore;
import dev.socibuilder.indexer.store.LayoutImageStore;
import dev.socibuilder.indexer.store.OciLayout;
import dev.socibuilder.indexer.store.OciLayoutException;
import dev.socibuilder.indexer.store.RegistryImageStore;
import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.oci.Platform;
import dev.socibuilder.oci.Platforms;
import dev.socibuilder.registry.Credentials;
import dev.socibuilder.registry.CredentialsProvider;
import dev.socibuilder.registry.DockerConfigCredentials;
import dev.socibuilder.registry.EcrCredentialsProvider;
import dev.socibuilder.registry.EcrRegistryHost;
import dev.socibuilder.registry.ImageReference;
import dev.socibuilder.registry.RegistryClient;
import dev.socibuilder.registry.RegistryException;
import dev.socibuilder.registry.RetryPolicy;
import dev.socibuilder.soci.SociIndex;
import dev.socibuilder.ztoc.BuildInfo;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

/** {@code soci-builder index IMAGE}: build an image's SOCI index and publish it next to the image. */
@Command(
    name = "index",
    mixinStandardHelpOptions = true,
    description = {
      "Build the SOCI index of an image and publish it: in the registry (v2: a SOCI-enabled image index "
          + "tagged TAG+suffix; v1: an index manifest found through the referrers API or the sha256-<hex> "
          + "referrers tag), or into the OCI image layout.",
      "IMAGE is REGISTRY/REPO:TAG, REGISTRY/REPO@sha256:..., or oci:DIR[:TAG] (an OCI image layout)."
    })
final class IndexCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "IMAGE", description = "The image to index.")
  String image;

  @Option(names = "--index-version", paramLabel = "v2|v1", defaultValue = "v2",
      description = "SOCI index version (default: ${DEFAULT-VALUE}).")
  String indexVersion;

  @Option(names = "--min-layer-size", paramLabel = "BYTES", defaultValue = "10485760",
      description = "Layers smaller than this get no zTOC (default: ${DEFAULT-VALUE}).")
  long minLayerSize;

  @Option(names = "--span-size", paramLabel = "BYTES", defaultValue = "4194304",
      description = "Uncompressed bytes per span (default: ${DEFAULT-VALUE}).")
  long spanSize;

  @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]",
      description = "Index only this platform of a multi-platform image (repeatable).")
  List<String> platforms = new ArrayList<>();

  @Option(names = "--all-platforms",
      description = "Index every platform of a multi-platform image (the default).")
  boolean allPlatforms;

  @Option(names = "--tag-suffix", paramLabel = "SUFFIX", defaultValue = "-soci",
      description = "v2: the SOCI-enabled image is tagged TAG+SUFFIX (default: ${DEFAULT-VALUE}).")
  String tagSuffix;

  @Option(names = "--build-tool", paramLabel = "ID",
      description = "Build tool identifier written into zTOCs and indexes (default: this tool's name and version).")
  String buildTool;

  @Option(names = "--force", description = "Rebuild even if the image already has a matching SOCI index.")
  boolean force;

  @Option(names = "--plain-http", description = "Talk to the registry over http:// instead of https://.")
  boolean plainHttp;

  @Option(names = "--username", paramLabel = "U", description = "Registry user name (with --password-stdin).")
  String username;

  @Option(names = "--password-stdin", description = "Read the registry password from standard input.")
  boolean passwordStdin;

  @Option(names = "--time-zone", paramLabel = "ZONE", defaultValue = "UTC",
      description = "Time zone of the zTOCs' mod_time texts (default: ${DEFAULT-VALUE}).")
  String timeZone;

  @Option(names = "--json", description = "Print the report as JSON on stdout.")
  boolean json;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    IndexOptions options = options();
    PrintWriter out = spec.commandLine().getOut();
    Listener listener = new Listener();
    IndexingService service = new IndexingService(options, listener);
    IndexReport report;
    try {
      if (image.startsWith("oci:")) {
        report = indexLayout(service);
      } else {
        report = indexRegistry(service);
      }
    } catch (RegistryException e) {
      String hint = !plainHttp && String.valueOf(e.getMessage()).contains("SSLException")
          ? " (for a registry served over plain HTTP, add --plain-http)" : "";
      throw new CliException(e.getMessage() + hint, e);
    } catch (IndexingException | OciLayoutException e) {
      throw new CliException(e.getMessage(), e);
    } finally {
      listener.close();
    }
    if (json) {
      out.println(report.toJson());
    } else {
      printSummary(out, report);
    }
    out.flush();
    return 0;
  }

  private IndexOptions options() {
    SociIndex.Version version = switch (indexVersion.toLowerCase(Locale.ROOT)) {
      case "v2" -> SociIndex.Version.V2;
      case "v1" -> SociIndex.Version.V1;
      default -> throw usage("--index-version must be v2 or v1, got " + indexVersion);
    };
    if (spanSize <= 0) {
      throw usage("--span-size must be positive");
    }
    if (minLayerSize < 0) {
      throw usage("--min-layer-size must be >= 0");
    }
    if (allPlatforms && !platforms.isEmpty()) {
      throw usage("--all-platforms and --platform are exclusive");
    }
    if (passwordStdin && username == null) {
      throw usage("--password-stdin needs --username");
    }
    List<Platform> wanted = new ArrayList<>();
    for (String p : platforms) {
      try {
        wanted.add(Platforms.parse(p));
      } catch (IllegalArgumentException e) {
        throw usage("invalid --platform " + p + ": " + e.getMessage());
      }
    }
    ZoneId zone;
    try {
      zone = ZoneId.of(timeZone);
    } catch (DateTimeException e) {
      throw usage("unknown time zone: " + timeZone);
    }
    try {
      return IndexOptions.defaults(buildTool != null ? buildTool : BuildInfo.defaultBuildTool())
          .withVersion(version)
          .withMinLayerSize(minLayerSize)
          .withSpanSize(spanSize)
          .withPlatforms(wanted)
          .withTagSuffix(tagSuffix)
          .withForce(force)
          .withZone(zone);
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
  }

  private IndexReport indexLayout(IndexingService service) {
    String rest = image.substring("oci:".length());
    String tag = null;
    Digest digest = null;
    int at = rest.lastIndexOf('@');
    if (at > 0) {
      digest = Digest.parse(rest.substring(at + 1));
      rest = rest.substring(0, at);
    } else {
      // DIR:TAG, where DIR itself may contain ':' only if it exists as given
      int colon = rest.lastIndexOf(':');
      if (colon > 0 && !Files.isDirectory(Path.of(rest))) {
        tag = rest.substring(colon + 1);
        rest = rest.substring(0, colon);
      }
    }
    Path dir = Path.of(rest);
    if (!Files.isDirectory(dir)) {
      throw new CliException("no OCI image layout at " + dir);
    }
    LayoutImageStore store = new LayoutImageStore(OciLayout.open(dir));
    if (tag == null && digest == null) {
      tag = store.defaultTag();
    }
    return service.index(store, tag, digest);
  }

  private IndexReport indexRegistry(IndexingService service) throws IOException {
    ImageReference ref;
    try {
      ref = ImageReference.parse(image);
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
    CredentialsProvider creds = credentials(ref.registry());
    try (RegistryClient client = new RegistryClient(creds, RetryPolicy.defaults(), plainHttp, Duration.ofSeconds(60))) {
      ImageStore store = new RegistryImageStore(client, ref.registry(), ref.repository());
      return service.index(store, ref.tag(), ref.digest());
    }
  }

  /** Explicit credentials first, then ~/.docker/config.json, then ECR tokens for ECR hosts. */
  private CredentialsProvider credentials(String registry) throws IOException {
    List<CredentialsProvider> chain = new ArrayList<>();
    if (username != null) {
      String password = "";
      if (passwordStdin) {
        BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line = r.readLine();
        password = line == null ? "" : line.strip();
      }
      chain.add(CredentialsProvider.of(registry, new Credentials(username, password)));
    }
    chain.add(new DockerConfigCredentials());
    EcrRegistryHost.parse(registry).ifPresent(ecr -> chain.add(new EcrCredentialsProvider(
        EcrClient.builder().region(Region.of(ecr.region())).httpClientBuilder(UrlConnectionHttpClient.builder()).build())));
    return CredentialsProvider.chain(chain.toArray(CredentialsProvider[]::new));
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  private static void printSummary(PrintWriter out, IndexReport r) {
    String what = switch (r.outcome()) {
      case INDEXED -> "Indexed";
      case ALREADY_INDEXED -> "Already indexed";
      case SOCI_ENABLED_IMAGE -> "Left alone";
      case NOTHING_TO_INDEX -> "Nothing to index in";
    };
    out.printf("%s %s (SOCI index %s) in %.1f s%n", what, r.image(), r.version(), r.duration().toMillis() / 1000.0);
    for (IndexReport.PlatformReport p : r.platforms()) {
      out.printf("  %s  manifest %s%n", p.platform() == null ? "?" : Platforms.format(p.platform()), p.manifestDigest());
      if (p.sociIndexDigest() != null) {
        out.printf("    SOCI index %s%n", p.sociIndexDigest());
      }
      for (IndexReport.ZtocReport z : p.ztocs()) {
        out.printf("    zTOC %s for layer %s (%s, %d span%s, zTOC %s)%n", z.ztocDigest(), z.layerDigest(),
            human(z.layerSize()), z.spans(), z.spans() == 1 ? "" : "s", human(z.ztocSize()));
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

  private static String human(long bytes) {
    if (bytes < 10_000) {
      return bytes + " B";
    }
    if (bytes < 10_000_000) {
      return String.format("%.1f kB", bytes / 1e3);
    }
    return String.format("%.1f MB", bytes / 1e6);
  }

  /**
   * Drives a one-line display on a terminal: each layer being indexed with its progress, and how many
   * are done.
   */
  private static final class Listener implements IndexListener, AutoCloseable {
    private final java.util.Map<String, long[]> layers = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicLong done = new AtomicLong();
    private volatile int planned;
    private volatile Progress progress;

    @Override
    public void layersPlanned(int count, long totalBytes) {
      planned = count;
      if (count > 0) {
        progress = Progress.start(this::status);
      }
    }

    @Override
    public void bytesRead(Descriptor layer, long n) {
      layers.computeIfAbsent(layer.digest(), k -> new long[] {0, layer.size()})[0] += n;
    }

    @Override
    public void layerDone(Descriptor layer, IndexReport.ZtocReport ztoc) {
      layers.remove(layer.digest());
      done.incrementAndGet();
    }

    private String status() {
      StringBuilder sb = new StringBuilder("indexing: ").append(done.get()).append('/').append(planned)
          .append(" layers done");
      for (java.util.Map.Entry<String, long[]> e : layers.entrySet()) {
        long[] v = e.getValue();
        String hex = e.getKey().substring(e.getKey().indexOf(':') + 1);
        sb.append(" | ").append(hex, 0, Math.min(12, hex.length())).append(' ')
            .append(v[1] > 0 ? Math.min(100, v[0] * 100 / v[1]) : 0).append('%');
      }
      return sb.toString();
    }

    @Override
    public void close() {
      Progress p = progress;
      if (p != null) {
        p.close();
      }
    }
  }
}
