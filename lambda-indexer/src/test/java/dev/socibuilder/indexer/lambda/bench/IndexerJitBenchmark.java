package dev.socibuilder.indexer.lambda.bench;

import dev.socibuilder.indexer.lambda.StackJvmOptions;
import dev.socibuilder.testing.aws.FakeAwsApi;
import dev.socibuilder.testing.lambda.LambdaJarRunner;
import dev.socibuilder.testing.lambda.LambdaRuntimeApiServer.InvocationResult;
import dev.socibuilder.testing.registry.RegistryServer;
import dev.socibuilder.testing.registry.Skopeo;
import dev.socibuilder.testing.registry.TestImages;
import dev.socibuilder.testing.registry.TestImages.LayerSpec;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Benchmark main (not a test): what the JIT settings cost the packaged indexer under the real runtime interface
 * client, on a large layer and on a small image. Lambda's Java runtimes stop tiered compilation at C1 unless the
 * function sets {@code JAVA_TOOL_OPTIONS}; the stack sets it for the indexer
 * ({@code SociIndexBuilder.INDEXER_JAVA_TOOL_OPTIONS}). Each round, for every option set, a fresh execution
 * environment indexes the one-layer image of LAYER (a gzip tar) in a fresh repository of a local registry (cold
 * start: init and the first invocation), and another one a 256 KiB-layer image (every other round in the reverse
 * order of the option sets); in the same round,
 * {@code curl} of the layer's blob piped into python3's zlib inflate is the external baseline. Medians. With
 * {@code --tls} the registry serves https (as ECR does), with a self-signed certificate the indexer trusts
 * through a trust store given in {@code JAVA_TOOL_OPTIONS}.
 *
 * <pre>
 * mvn -q -DskipTests install
 * mvn -q -pl lambda-indexer org.codehaus.mojo:exec-maven-plugin:3.5.0:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.socibuilder.indexer.lambda.bench.IndexerJitBenchmark \
 *   -Dexec.args="ROUNDS JAVA_HOME INDEXER_JAR LAYER.tar.gz [--tls] [LABEL=JAVA_TOOL_OPTIONS ...]"
 * </pre>
 * Without option sets: Lambda's default and the stack's.
 */
public final class IndexerJitBenchmark {

  private static final String PASSWORD = "bench-ecr-token";
  private static final String INFLATE_PY = "import sys, zlib\n"
      + "d = zlib.decompressobj(16 + zlib.MAX_WBITS)\n"
      + "r = sys.stdin.buffer\n"
      + "while True:\n"
      + "    b = r.read(1 << 20)\n"
      + "    if not b: break\n"
      + "    d.decompress(b)\n";
  // A guard against a hung runtime, not part of the measurement.
  private static final Duration TIMEOUT = Duration.ofSeconds(600);

  private IndexerJitBenchmark() {}

  private record Options(String label, String javaToolOptions) {}

  /** The digests of a one-layer image's layer and manifest. */
  private record OneLayerImage(String layerDigest, String manifestDigest) {}

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      throw new IllegalArgumentException("usage: ROUNDS JAVA_HOME INDEXER_JAR LAYER.tar.gz [LABEL=OPTIONS ...]");
    }
    int rounds = Integer.parseInt(args[0]);
    Path javaHome = Path.of(args[1]);
    Path jar = Path.of(args[2]);
    Path layer = Path.of(args[3]);
    List<Options> options = new ArrayList<>();
    boolean tls = false;
    for (String spec : Arrays.copyOfRange(args, 4, args.length)) {
      if (spec.equals("--tls")) {
        tls = true;
        continue;
      }
      String[] labelOptions = spec.split("=", 2);
      options.add(new Options(labelOptions[0], labelOptions[1]));
    }
    if (options.isEmpty()) {
      options.add(new Options("Lambda's default", LambdaJarRunner.DEFAULT_JAVA_TOOL_OPTIONS));
      options.add(new Options("the stack's", StackJvmOptions.INDEXER));
    }
    Path work = Files.createTempDirectory("indexer-jit-bench");
    Map<String, List<Double>> samples = new LinkedHashMap<>();
    RegistryServer server = RegistryServer.basicAuth("AWS", PASSWORD);
    try (RegistryServer registry = (tls ? server.withTls() : server).start();
        FakeAwsApi aws = FakeAwsApi.start(PASSWORD)) {
      OneLayerImage image = oneLayerImage(layer, work.resolve("large"));
      Skopeo.copy("oci:" + work.resolve("large") + ":bench", "docker://" + registry.hostPort() + "/bench/large:1",
          registry.destCredsArgs());
      TestImages.TestImage small = TestImages.singlePlatform(work.resolve("small"), "v1",
          LayerSpec.incompressible(256 * 1024, 1), LayerSpec.compressible(8 * 1024, 2));
      String blobUrl = registry.scheme() + "://" + registry.hostPort() + "/v2/bench/large/blobs/" + image.layerDigest();
      int repository = 0;
      // Round 0 warms the disk cache and is not counted.
      for (int round = 0; round <= rounds; round++) {
        double baseline = baseline(blobUrl);
        if (round > 0) {
          samples.computeIfAbsent("curl | python3 zlib, large layer", k -> new ArrayList<>()).add(baseline);
        }
        // Every other round in reverse order: the later runs of a round come out faster on this machine.
        List<Options> order = new ArrayList<>(options);
        if (round % 2 == 1) {
          java.util.Collections.reverse(order);
        }
        for (Options o : order) {
          String large = "bench/large-" + (++repository);
          Skopeo.copy("docker://" + registry.hostPort() + "/bench/large:1",
              "docker://" + registry.hostPort() + "/" + large + ":v1", copyArgs(registry));
          double largeMs = coldIndex(jar, o, aws, registry, IndexerBench.request(large, image.manifestDigest()), javaHome);
          String smallRepo = "bench/small-" + (++repository);
          Skopeo.copy(small.ociReference(), "docker://" + registry.hostPort() + "/" + smallRepo + ":v1",
              registry.destCredsArgs());
          double smallMs = coldIndex(jar, o, aws, registry, IndexerBench.request(smallRepo, small.digest().toString()), javaHome);
          if (round > 0) {
            samples.computeIfAbsent(o.label() + ", large layer", k -> new ArrayList<>()).add(largeMs);
            samples.computeIfAbsent(o.label() + ", small image", k -> new ArrayList<>()).add(smallMs);
          }
        }
      }
    } finally {
      try (var s = Files.walk(work)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    double baseline = IndexerBench.median(samples.get("curl | python3 zlib, large layer").stream().mapToDouble(Double::doubleValue));
    System.out.printf("median of %d rounds, java %s, layer %s (%.1f MB), %s%n", rounds, javaHome, layer,
        Files.size(layer) / 1e6, tls ? "https" : "plain http");
    System.out.printf("%-50s %10s %10s %14s%n", "", "median ms", "best ms", "over baseline");
    for (Map.Entry<String, List<Double>> e : samples.entrySet()) {
      double median = IndexerBench.median(e.getValue().stream().mapToDouble(Double::doubleValue));
      boolean large = e.getKey().endsWith("large layer");
      System.out.printf("%-50s %10.0f %10.0f %14s%n", e.getKey(), median,
          e.getValue().stream().mapToDouble(Double::doubleValue).min().orElseThrow(),
          large ? String.format("%.2f", median / baseline) : "");
    }
    for (Options o : options) {
      System.out.printf("%s: JAVA_TOOL_OPTIONS=%s%n", o.label(), o.javaToolOptions());
    }
  }

  /** Init plus the first invocation of a fresh execution environment, in milliseconds. */
  private static double coldIndex(Path jar, Options options, FakeAwsApi aws, RegistryServer registry,
      String request, Path javaHome) throws Exception {
    Map<String, String> env = IndexerBench.environment(aws, registry, 4 << 20);
    String trust = registry.scheme().equals("https")
        ? " -Djavax.net.ssl.trustStore=" + registry.trustStore() + " -Djavax.net.ssl.trustStorePassword=changeit"
        : "";
    env.put("JAVA_TOOL_OPTIONS", options.javaToolOptions() + trust);
    try (LambdaJarRunner function = LambdaJarRunner.start(jar, IndexerBench.HANDLER, env, javaHome)) {
      Duration init = function.initDuration(TIMEOUT);
      long t0 = System.nanoTime();
      InvocationResult result = function.invoke(request, TIMEOUT);
      long t1 = System.nanoTime();
      if (!result.success() || !result.body().contains("\"outcome\":\"indexed\"")) {
        throw new IllegalStateException("invocation failed: " + result.body() + "\n" + function.output());
      }
      return init.toNanos() / 1e6 + (t1 - t0) / 1e6;
    }
  }

  /** curl of the blob into python3's zlib inflate, in milliseconds. */
  private static double baseline(String blobUrl) throws Exception {
    ProcessBuilder builder = new ProcessBuilder("bash", "-c",
        // -k: the certificate is self-signed (curl still decrypts all of it).
        "set -o pipefail; curl -kfsS -u AWS:" + PASSWORD + " -L '" + blobUrl + "' | python3 -c \"$INFLATE\"")
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.INHERIT);
    builder.environment().put("INFLATE", INFLATE_PY);
    long t0 = System.nanoTime();
    int exit = builder.start().waitFor();
    long t1 = System.nanoTime();
    if (exit != 0) {
      throw new IllegalStateException("curl | python3 exited with " + exit);
    }
    return (t1 - t0) / 1e6;
  }

  private static String[] copyArgs(RegistryServer registry) {
    List<String> args = new ArrayList<>(List.of("--src-creds", "AWS:" + PASSWORD));
    args.addAll(List.of(registry.destCredsArgs()));
    return args.toArray(String[]::new);
  }

  /** Writes a one-layer OCI image layout of LAYER at {@code layout}, tagged {@code bench}. */
  private static OneLayerImage oneLayerImage(Path layer, Path layout) throws Exception {
    Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
    String layerHex = sha256Hex(Files.newInputStream(layer));
    String diffHex = sha256Hex(new GZIPInputStream(Files.newInputStream(layer), 1 << 16));
    Files.copy(layer, blobs.resolve(layerHex));
    String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":"
        + "[\"sha256:" + diffHex + "\"]},\"config\":{}}";
    String configHex = putBlob(blobs, config);
    String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + TestImages.OCI_MANIFEST + "\",\"config\":"
        + "{\"mediaType\":\"" + TestImages.OCI_CONFIG + "\",\"digest\":\"sha256:" + configHex + "\",\"size\":"
        + config.length() + "},\"layers\":[{\"mediaType\":\"" + TestImages.LAYER_GZIP + "\",\"digest\":\"sha256:"
        + layerHex + "\",\"size\":" + Files.size(layer) + "}]}";
    String manifestHex = putBlob(blobs, manifest);
    Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    Files.writeString(layout.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\""
        + TestImages.OCI_MANIFEST + "\",\"digest\":\"sha256:" + manifestHex + "\",\"size\":" + manifest.length()
        + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"bench\"}}]}");
    return new OneLayerImage("sha256:" + layerHex, "sha256:" + manifestHex);
  }

  /** The SHA-256 of what {@code in} holds (closed after), in hex. */
  private static String sha256Hex(InputStream in) throws Exception {
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    try (InputStream digesting = new DigestInputStream(in, sha256)) {
      digesting.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(sha256.digest());
  }

  private static String putBlob(Path blobs, String json) throws Exception {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    Files.write(blobs.resolve(hex), bytes);
    return hex;
  }
}
