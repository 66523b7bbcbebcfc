package dev.socibuilder.cli;

import dev.socibuilder.registry.Credentials;
import dev.socibuilder.registry.CredentialsProvider;
import dev.socibuilder.registry.DockerConfigCredentials;
import dev.socibuilder.registry.EcrCredentialsProvider;
import dev.socibuilder.registry.EcrRegistryHost;
import dev.socibuilder.registry.RegistryClient;
import dev.socibuilder.registry.RegistryException;
import dev.socibuilder.registry.RetryPolicy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * How to reach a registry, shared by every command that talks to one: plain HTTP and credentials
 * ({@code --username} with {@code --password-stdin}, else {@code ~/.docker/config.json}, else ECR tokens
 * for ECR hosts).
 */
final class RegistryOptions {
  /** How long a registry may take to connect, to answer, or between two reads of a body. */
  static final Duration REGISTRY_TIMEOUT = Duration.ofSeconds(60);

  @Option(names = "--plain-http", description = "Talk to the registry over http:// instead of https://.")
  boolean plainHttp;

  @Option(names = "--username", paramLabel = "U", description = "Registry user name (with --password-stdin).")
  String username;

  @Option(names = "--password-stdin", description = "Read the registry password from standard input.")
  boolean passwordStdin;

  /** @throws CommandLine.ParameterException for options that do not go together */
  void validate(CommandLine.Model.CommandSpec spec) {
    if (passwordStdin && username == null) {
      throw IndexingOptions.usage(spec, "--password-stdin needs --username");
    }
  }

  /** A client for {@code registry} with these options' credentials; the caller closes it. */
  RegistryClient client(String registry) throws IOException {
    return new RegistryClient(credentials(registry), RetryPolicy.defaults(), plainHttp, REGISTRY_TIMEOUT);
  }

  /** Explicit credentials first, then ~/.docker/config.json, then ECR tokens for ECR hosts. */
  CredentialsProvider credentials(String registry) throws IOException {
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

  /** A registry failure as one line for the user, with a hint where the cause is a common mistake. */
  CliException failure(RegistryException e) {
    String hint = !plainHttp && String.valueOf(e.getMessage()).contains("SSLException")
        ? " (for a registry served over plain HTTP, add --plain-http)" : "";
    return new CliException(e.getMessage() + hint, e);
  }
}
