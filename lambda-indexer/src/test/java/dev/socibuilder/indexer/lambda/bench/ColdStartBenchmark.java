package dev.socibuilder.indexer.lambda.bench;

import dev.socibuilder.testing.aws.FakeAwsApi;
import dev.socibuilder.testing.lambda.LambdaJarRunner;
import dev.socibuilder.testing.lambda.LambdaRuntimeApiServer.InvocationResult;
import dev.socibuilder.testing.registry.RegistryServer;
import dev.socibuilder.testing.registry.Skopeo;
import dev.socibuilder.testing.registry.TestImages;
import dev.socibuilder.testing.registry.TestImages.LayerSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Benchmark main (not a test): the cold start of the packaged Lambda jars under the real runtime interface
 * client (the test-support harness), as Lambda starts a new execution environment: JVM start, runtime client,
 * handler class loading and construction ("init", until the runtime first asks for an event), then the first
 * invocation (which loads the request paths and the AWS SDK's call paths), then a second, warm one for scale.
 * The filter's first event invokes the indexer (faked Lambda API); the indexer's first request indexes a small
 * image in a fresh repository of a local registry (faked ECR token and EventBridge). Several builds of the jars
 * are measured in the same run, interleaved, and the median of the rounds is reported.
 *
 * <pre>
 * mvn -q -DskipTests install
 * mvn -q -pl lambda-indexer org.codehaus.mojo:exec-maven-plugin:3.5.0:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.socibuilder.indexer.lambda.bench.ColdStartBenchmark \
 *   -Dexec.args="ROUNDS JAVA_HOME LABEL=FILTER_JAR,INDEXER_JAR [LABEL=FILTER_JAR,INDEXER_JAR ...]"
 * </pre>
 */
public final class ColdStartBenchmark {

  private static final String FILTER_HANDLER = "dev.socibuilder.filter.FilterHandler::handleRequest";
  private static final String PASSWORD = "bench-ecr-token";
  // A guard against a hung runtime, not part of the measurement.
  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  private ColdStartBenchmark() {}

  private record Build(String label, Path filterJar, Path indexerJar) {}

  /** Init, first and second invocation of one start, in milliseconds. */
  private record Sample(double init, double first, double second) {
    double coldStart() {
      return init + first;
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      throw new IllegalArgumentException("usage: ROUNDS JAVA_HOME LABEL=FILTER_JAR,INDEXER_JAR ...");
    }
    int rounds = Integer.parseInt(args[0]);
    Path javaHome = Path.of(args[1]);
    List<Build> builds = new ArrayList<>();
    for (String spec : Arrays.copyOfRange(args, 2, args.length)) {
      String[] labelJars = spec.split("=", 2);
      String[] jars = labelJars[1].split(",", 2);
      builds.add(new Build(labelJars[0], Path.of(jars[0]), Path.of(jars[1])));
    }
    String filterEvent = resource("events/push-image-manifest-tagged.json");
    Path work = Files.createTempDirectory("cold-start-bench");
    Map<String, List<Sample>> samples = new LinkedHashMap<>();
    try (RegistryServer registry = RegistryServer.basicAuth("AWS", PASSWORD).start();
        FakeAwsApi aws = FakeAwsApi.start(PASSWORD)) {
      TestImages.TestImage image = TestImages.singlePlatform(work.resolve("layout"), "v1",
          LayerSpec.incompressible(256 * 1024, 1), LayerSpec.compressible(8 * 1024, 2));
      int repository = 0;
      // Round 0 warms the disk cache and is not counted.
      for (int round = 0; round <= rounds; round++) {
        for (Build build : builds) {
          Sample filter = measure(build.filterJar(), FILTER_HANDLER, filterEnv(aws), filterEvent, filterEvent,
              javaHome);
          String repo = "bench/app-" + (++repository);
          Skopeo.copy(image.ociReference(), "docker://" + registry.hostPort() + "/" + repo + ":v1",
              registry.destCredsArgs());
          String request = IndexerBench.request(repo, image.digest().toString());
          Sample indexer = measure(build.indexerJar(), IndexerBench.HANDLER, IndexerBench.environment(aws, registry, 65536), request,
              request, javaHome);
          if (round > 0) {
            samples.computeIfAbsent(build.label() + " filter", k -> new ArrayList<>()).add(filter);
            samples.computeIfAbsent(build.label() + " indexer", k -> new ArrayList<>()).add(indexer);
          }
        }
      }
    } finally {
      try (var s = Files.walk(work)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    System.out.printf("median of %d rounds, java %s%n", rounds, javaHome);
    System.out.printf("%-22s %10s %10s %12s %10s %10s%n", "jar", "size MB", "init ms", "1st invoke", "cold ms",
        "2nd invoke");
    for (Build build : builds) {
      for (String function : List.of("filter", "indexer")) {
        List<Sample> s = samples.get(build.label() + " " + function);
        Path jar = function.equals("filter") ? build.filterJar() : build.indexerJar();
        System.out.printf("%-22s %10.1f %10.0f %12.0f %10.0f %10.0f%n", build.label() + " " + function,
            Files.size(jar) / 1e6, median(s, Sample::init), median(s, Sample::first), median(s, Sample::coldStart),
            median(s, Sample::second));
      }
    }
  }

  private static Sample measure(Path jar, String handler, Map<String, String> env, String first, String second,
      Path javaHome) throws Exception {
    try (LambdaJarRunner function = LambdaJarRunner.start(jar, handler, env, javaHome)) {
      Duration init = function.initDuration(TIMEOUT);
      long t0 = System.nanoTime();
      InvocationResult r1 = function.invoke(first, TIMEOUT);
      long t1 = System.nanoTime();
      InvocationResult r2 = function.invoke(second, TIMEOUT);
      long t2 = System.nanoTime();
      if (!r1.success() || !r2.success()) {
        throw new IllegalStateException("invocation failed: " + r1.body() + "\n" + function.output());
      }
      return new Sample(init.toNanos() / 1e6, (t1 - t0) / 1e6, (t2 - t1) / 1e6);
    }
  }

  private static double median(List<Sample> samples, java.util.function.ToDoubleFunction<Sample> f) {
    return IndexerBench.median(samples.stream().mapToDouble(f));
  }

  private static Map<String, String> filterEnv(FakeAwsApi aws) {
    Map<String, String> env = new HashMap<>();
    env.put("FILTERS", "*:*");
    env.put("INDEXER_FUNCTION_NAME", "soci-indexer");
    env.put("SOCI_TAG_SUFFIX", "-soci");
    env.put("INDEX_UNTAGGED", "false");
    env.put("EXPECTED_ACCOUNT_ID", IndexerBench.ACCOUNT);
    env.put("AWS_REGION", "us-west-2");
    env.put("AWS_ENDPOINT_URL_LAMBDA", aws.endpoint().toString());
    return env;
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = ColdStartBenchmark.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is not on the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
