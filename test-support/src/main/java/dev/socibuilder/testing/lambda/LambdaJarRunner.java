package dev.socibuilder.testing.lambda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Runs a packaged Lambda jar the way the Lambda Java managed runtime does, with the real runtime
 * interface client (aws-lambda-java-runtime-interface-client) against a local
 * {@link LambdaRuntimeApiServer}:
 *
 * <ul>
 *   <li>the jar is unpacked into a fresh task root, as Lambda unpacks a deployment package into
 *       {@code /var/task}; the process runs there, and the client's customer class loader loads the
 *       function from it (classes at the root, {@code lib/*.jar});
 *   <li>only the runtime's own jars (the client, aws-lambda-java-core, -serialization, utils-lite)
 *       are on the system class path, as in {@code /var/runtime/lib};
 *   <li>the environment is cleared and then set as Lambda sets it ({@code AWS_LAMBDA_RUNTIME_API},
 *       {@code _HANDLER}, {@code AWS_REGION}, function name, memory, fake credentials, the runtime's default
 *       {@code JAVA_TOOL_OPTIONS}, ...) plus the
 *       caller's variables.
 * </ul>
 *
 * <p>So a class missing from the jar, a handler that cannot be constructed or an input the
 * runtime's serializer cannot read fails here as it would after {@code cdk deploy}.
 */
public final class LambdaJarRunner implements AutoCloseable {

  private static final String RIC_MAIN = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
  /** The JVM options the managed Java runtimes set unless the function sets {@code JAVA_TOOL_OPTIONS} itself. */
  public static final String DEFAULT_JAVA_TOOL_OPTIONS = "-XX:+TieredCompilation -XX:TieredStopAtLevel=1";

  /**
   * The jars the managed runtime provides, located on this JVM's class path by a class each holds.
   * Searched by resource and jar name, because the function jar may itself contain copies of
   * aws-lambda-java-core.
   */
  private static final Map<String, String> RUNTIME_JARS = Map.of(
      "aws-lambda-java-runtime-interface-client", "com/amazonaws/services/lambda/runtime/api/client/AWSLambda.class",
      "aws-lambda-java-core", "com/amazonaws/services/lambda/runtime/Context.class",
      "aws-lambda-java-serialization",
      "com/amazonaws/services/lambda/runtime/serialization/events/LambdaEventSerializers.class",
      "utils-lite", "software/amazon/awssdk/utilslite/SdkInternalThreadLocal.class");

  private final LambdaRuntimeApiServer api;
  private final Process process;
  private final Path taskRoot;
  private final Path output;
  private final long startNanos;

  private LambdaJarRunner(LambdaRuntimeApiServer api, Process process, Path taskRoot, Path output, long startNanos) {
    this.api = api;
    this.process = process;
    this.taskRoot = taskRoot;
    this.output = output;
    this.startNanos = startNanos;
  }

  /**
   * Starts a function.
   *
   * @param functionJar the deployment package (the shaded jar)
   * @param handler the handler string, e.g. {@code com.example.Handler::handleRequest}
   * @param env the function's own environment variables (override the Lambda-set ones)
   */
  public static LambdaJarRunner start(Path functionJar, String handler, Map<String, String> env) throws IOException {
    return start(functionJar, handler, env, Paths.get(System.getProperty("java.home")));
  }

  /**
   * Starts a function on a given JDK, e.g. {@code /usr/lib/jvm/temurin-25-jdk-amd64} to match a
   * {@code java25} function.
   *
   * @param functionJar the deployment package (the shaded jar)
   * @param handler the handler string, e.g. {@code com.example.Handler::handleRequest}
   * @param env the function's own environment variables (override the Lambda-set ones)
   * @param javaHome the JDK or JRE to run the runtime on
   */
  public static LambdaJarRunner start(Path functionJar, String handler, Map<String, String> env, Path javaHome)
      throws IOException {
    if (!Files.isRegularFile(functionJar)) {
      throw new IllegalArgumentException(functionJar + " does not exist: run mvn package first");
    }
    Path taskRoot = Files.createTempDirectory("lambda-task-");
    unzip(functionJar, taskRoot);
    Path output = Files.createTempFile("lambda-output-", ".log");
    LambdaRuntimeApiServer api = LambdaRuntimeApiServer.start();

    List<String> command = new ArrayList<>();
    command.add(javaHome.resolve("bin").resolve("java").toString());
    command.add("-Xshare:auto");
    command.add("-cp");
    command.add(String.join(java.io.File.pathSeparator, runtimeClasspath()));
    command.add(RIC_MAIN);
    command.add(handler);

    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(taskRoot.toFile())
        .redirectErrorStream(true)
        .redirectOutput(output.toFile());
    Map<String, String> processEnv = builder.environment();
    processEnv.clear();
    processEnv.putAll(lambdaEnvironment(api.address(), taskRoot, handler));
    processEnv.putAll(env);
    try {
      long startNanos = System.nanoTime();
      return new LambdaJarRunner(api, builder.start(), taskRoot, output, startNanos);
    } catch (IOException | RuntimeException e) {
      api.close();
      deleteRecursively(taskRoot);
      Files.deleteIfExists(output);
      throw e;
    }
  }

  private static Map<String, String> lambdaEnvironment(String runtimeApi, Path taskRoot, String handler) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("AWS_LAMBDA_RUNTIME_API", runtimeApi);
    env.put("LAMBDA_TASK_ROOT", taskRoot.toString());
    env.put("_HANDLER", handler);
    env.put("AWS_EXECUTION_ENV", "AWS_Lambda_java17");
    env.put("AWS_LAMBDA_FUNCTION_NAME", "local-function");
    env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
    env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512");
    env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/local-function");
    env.put("AWS_LAMBDA_LOG_STREAM_NAME", "2026/01/01/[$LATEST]00000000000000000000000000000000");
    env.put("AWS_REGION", "us-east-1");
    env.put("AWS_DEFAULT_REGION", "us-east-1");
    // Lambda hands the function its role's credentials in these; fake ones for local endpoints.
    env.put("AWS_ACCESS_KEY_ID", "AKIDLOCALTEST");
    env.put("AWS_SECRET_ACCESS_KEY", "local-test-secret");
    env.put("AWS_SESSION_TOKEN", "local-test-session");
    env.put("TZ", ":UTC");
    env.put("LANG", "en_US.UTF-8");
    // The managed Java runtimes' default JVM options (start-up over peak throughput: C1 only). A function's own
    // JAVA_TOOL_OPTIONS replaces them, as on Lambda.
    env.put("JAVA_TOOL_OPTIONS", DEFAULT_JAVA_TOOL_OPTIONS);
    return env;
  }

  /** The runtime's jars, found on this JVM's class path. */
  static List<String> runtimeClasspath() {
    List<String> jars = new ArrayList<>();
    for (Map.Entry<String, String> jar : RUNTIME_JARS.entrySet()) {
      jars.add(findJar(jar.getKey(), jar.getValue()).toString());
    }
    Collections.sort(jars);
    return jars;
  }

  private static Path findJar(String artifactId, String resource) {
    try {
      for (URL url : Collections.list(LambdaJarRunner.class.getClassLoader().getResources(resource))) {
        if (!url.getProtocol().equals("jar")) {
          continue;
        }
        String file = url.getPath().substring(0, url.getPath().indexOf("!/"));
        Path jar = Paths.get(new URL(file).toURI());
        String name = jar.getFileName().toString();
        if (name.startsWith(artifactId + "-") && name.endsWith(".jar")) {
          return jar;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    throw new IllegalStateException(artifactId + " is not on the test class path (a test-scoped dependency)");
  }

  private static void unzip(Path jar, Path into) throws IOException {
    try (InputStream raw = Files.newInputStream(jar); ZipInputStream zip = new ZipInputStream(raw)) {
      for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
        Path target = into.resolve(entry.getName()).normalize();
        if (!target.startsWith(into)) {
          throw new IOException("zip entry outside the task root: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(zip, target);
        }
      }
    }
  }

  /**
   * Invokes the function once and waits for the runtime's answer.
   *
   * @param payload the event JSON
   * @param timeout how long to wait at most (a guard against a hung runtime, not a speed check)
   * @throws IllegalStateException if the runtime exits or reports an init error first, with its output
   */
  public LambdaRuntimeApiServer.InvocationResult invoke(String payload, Duration timeout) {
    CompletableFuture<LambdaRuntimeApiServer.InvocationResult> result = api.submit(payload);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        return result.get(200, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        if (api.initError().isDone()) {
          throw new IllegalStateException("init error: " + api.initError().join() + "\n" + output());
        }
        if (!process.isAlive()) {
          throw new IllegalStateException("runtime exited with " + process.exitValue() + "\n" + output());
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("no answer within " + timeout + "\n" + output());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      } catch (ExecutionException e) {
        throw new IllegalStateException(e.getCause());
      }
    }
  }

  /**
   * Waits for the runtime to report an initialization error (and exit).
   *
   * @return the error document the runtime posted
   */
  public String awaitInitError(Duration timeout) throws InterruptedException, TimeoutException {
    try {
      return api.initError().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /**
   * How long the runtime took from starting its process to asking for the first invocation (JVM start,
   * runtime client, handler class loading and construction), waiting for that at most {@code timeout}.
   */
  public Duration initDuration(Duration timeout) throws InterruptedException, TimeoutException {
    try {
      return Duration.ofNanos(api.firstNextNanos().get(timeout.toMillis(), TimeUnit.MILLISECONDS) - startNanos);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Whether the runtime process is still running. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** Everything the function and runtime wrote to stdout and stderr so far. */
  public String output() {
    try {
      return Files.readString(output, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read output: " + e + ")";
    }
  }

  /** Stops the runtime and the server and removes the task root. */
  @Override
  public void close() throws IOException {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      api.close();
      deleteRecursively(taskRoot);
      Files.deleteIfExists(output);
    }
  }

  private static void deleteRecursively(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
