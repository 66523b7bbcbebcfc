package dev.socibuilder.cli;

import dev.socibuilder.cli.args.Option;
import dev.socibuilder.cli.args.UsageException;
import dev.socibuilder.cli.args.Values;
import dev.socibuilder.registry.Credentials;
import dev.socibuilder.registry.CredentialsProvider;
import dev.socibuilder.registry.Deadline;
import dev.socibuilder.registry.DockerConfigCredentials;
import dev.socibuilder.registry.EcrCredentialsProvider;
import dev.socibuilder.registry.EcrRegistryHost;
import dev.socibuilder.registry.RegistryClient;
import dev.socibuilder.registry.RegistryException;
import dev.socibuilder.registry.RetryPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * How to reach a registry, shared by every command that talks to one: plain HTTP, credentials
 * ({@code --username} with {@code --password-stdin}, else {@code ~/.docker/config.json} with its
 * credential helpers, else ECR tokens for ECR hosts), the run's deadline ({@code --timeout}), and the
 * connections per large layer download ({@code --blob-connections}).
 */
final class RegistryOptions {
  /** How long a registry may take to connect, to answer, or between two reads of a body. */
  static final Duration REGISTRY_TIMEOUT = Duration.ofSeconds(60);

  /** The most read from standard input for {@code --password-stdin}. */
  static final int MAX_PASSWORD_BYTES = 64 * 1024;

  /** The environment variable giving {@code --blob-connections} when the option is not given. */
  static final String BLOB_CONNECTIONS_ENV = "SOCI_BUILDER_BLOB_CONNECTIONS";

  /** The options, for the commands that read registries. */
  static final List<Option> OPTIONS = List.of(
      Option.flag("--plain-http", "Talk to the registry over http:// instead of https://."),
      Option.of("--username", "U", "Registry user name (with --password-stdin)."),
      Option.flag("--password-stdin", "Read the registry password from standard input."),
      Option.of("--timeout", "DURATION", "Fail the whole run, publishing nothing incomplete, if it takes longer "
          + "than this (e.g. 90s, 15m, 1h, PT15M; default: no limit)."),
      Option.of("--blob-connections", "N", "Connections per layer download, 1 to "
          + RegistryClient.MAX_BLOB_CONNECTIONS + ": a layer of 64 MiB "
          + "or more whose one connection turns out slower than the zTOC build (one connection to a registry's "
          + "storage often is) is fetched on as 8 MiB ranges over N connections at once, still streamed and "
          + "verified in order; 1 reads each layer as one stream "
          + "(default: $" + BLOB_CONNECTIONS_ENV + ", else " + RegistryClient.DEFAULT_BLOB_CONNECTIONS + ")."));

  boolean plainHttp;
  String username;
  boolean passwordStdin;
  Duration timeout;
  Integer blobConnections;

  /**
   * Takes the value of one of {@link #OPTIONS}.
   *
   * @return false if {@code key} is none of them
   * @throws IllegalArgumentException for a value that is not valid
   */
  boolean set(String key, String value) {
    switch (key) {
      case "--plain-http" -> plainHttp = Boolean.parseBoolean(value);
      case "--username" -> username = value;
      case "--password-stdin" -> passwordStdin = Boolean.parseBoolean(value);
      case "--timeout" -> timeout = DurationOption.parse(value);
      case "--blob-connections" -> blobConnections = Values.toInt(value);
      default -> {
        return false;
      }
    }
    return true;
  }

  private Deadline deadline;

  /** @throws UsageException for options that do not go together or out of range */
  void validate() {
    if (passwordStdin && username == null) {
      throw new UsageException("--password-stdin needs --username");
    }
    if (blobConnections != null && !validConnections(blobConnections)) {
      throw new UsageException("--blob-connections must be 1 to " + RegistryClient.MAX_BLOB_CONNECTIONS
          + ", got " + blobConnections);
    }
  }

  private static boolean validConnections(int n) {
    return n >= 1 && n <= RegistryClient.MAX_BLOB_CONNECTIONS;
  }

  /**
   * Connections per blob download: {@code --blob-connections}, else {@value #BLOB_CONNECTIONS_ENV} in
   * {@code env} (if set and not blank), else {@link RegistryClient#DEFAULT_BLOB_CONNECTIONS}.
   *
   * @throws CliException if the variable is not a number from 1 to {@link RegistryClient#MAX_BLOB_CONNECTIONS}
   */
  int blobConnections(Map<String, String> env) {
    if (blobConnections != null) {
      return blobConnections;
    }
    String fromEnv = env.get(BLOB_CONNECTIONS_ENV);
    if (fromEnv == null || fromEnv.isBlank()) {
      return RegistryClient.DEFAULT_BLOB_CONNECTIONS;
    }
    try {
      int n = Integer.parseInt(fromEnv.strip());
      if (validConnections(n)) {
        return n;
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw new CliException("$" + BLOB_CONNECTIONS_ENV + " must be a whole number from 1 to "
        + RegistryClient.MAX_BLOB_CONNECTIONS + ", got '" + fromEnv.strip() + "'");
  }

  /**
   * The run's deadline: {@code --timeout} from the first call of this method (call it when the command
   * starts), or {@link Deadline#none()}.
   */
  synchronized Deadline deadline() {
    if (deadline == null) {
      deadline = timeout == null ? Deadline.none() : Deadline.after(timeout);
    }
    return deadline;
  }

  /**
   * A client for {@code registry} with these options' credentials and deadline, whose warnings go to
   * {@code err} (the command's standard error); the caller closes it.
   */
  RegistryClient client(String registry, PrintWriter err) throws IOException {
    return RegistryClient.builder()
        .credentials(credentials(registry))
        .retry(RetryPolicy.defaults())
        .plainHttp(plainHttp)
        .timeout(REGISTRY_TIMEOUT)
        .deadline(deadline())
        .blobConnections(blobConnections(System.getenv()))
        .warnings(w -> {
          err.println("soci-builder: warning: " + w);
          err.flush();
        })
        .build();
  }

  /** Explicit credentials first, then ~/.docker/config.json, then ECR tokens for ECR hosts. */
  CredentialsProvider credentials(String registry) throws IOException {
    List<CredentialsProvider> chain = new ArrayList<>();
    if (username != null) {
      String password = passwordStdin ? readPassword(System.in) : "";
      chain.add(CredentialsProvider.of(registry, new Credentials(username, password)));
    }
    chain.add(new DockerConfigCredentials());
    EcrRegistryHost.parse(registry).ifPresent(ecr -> chain.add(new EcrCredentialsProvider(
        EcrClient.builder().region(Region.of(ecr.region())).httpClientBuilder(UrlConnectionHttpClient.builder()).build())));
    return CredentialsProvider.chain(chain.toArray(CredentialsProvider[]::new));
  }

  /**
   * The password as {@code docker login --password-stdin} reads it: all of standard input (UTF-8), with
   * only a trailing newline ({@code \n} or {@code \r\n}) dropped; spaces and everything else are kept.
   * Does not close {@code in}.
   *
   * @throws CliException if there is more than {@link #MAX_PASSWORD_BYTES}
   */
  static String readPassword(InputStream in) throws IOException {
    byte[] bytes = in.readNBytes(MAX_PASSWORD_BYTES + 1);
    if (bytes.length > MAX_PASSWORD_BYTES) {
      throw new CliException("--password-stdin: standard input has more than " + MAX_PASSWORD_BYTES + " bytes");
    }
    String s = new String(bytes, StandardCharsets.UTF_8);
    if (s.endsWith("\n")) {
      s = s.substring(0, s.length() - 1);
      if (s.endsWith("\r")) {
        s = s.substring(0, s.length() - 1);
      }
    }
    return s;
  }

  /** A registry failure as one line for the user, with a hint where the cause is a common mistake. */
  CliException failure(RegistryException e) {
    String hint = !plainHttp && String.valueOf(e.getMessage()).contains("SSLException")
        ? " (for a registry served over plain HTTP, add --plain-http)" : "";
    return new CliException(e.getMessage() + hint, e);
  }
}
