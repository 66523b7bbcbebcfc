package dev.socibuilder.testing.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real CNCF Distribution registry ({@code /usr/bin/docker-registry serve}, Debian's 2.8) on
 * 127.0.0.1 with a free port and a temporary storage directory, for tests.
 *
 * <p>Three modes: anonymous; htpasswd basic auth (the bcrypt file is made with {@code htpasswd
 * -Bbn}); and token auth, where Distribution's own {@code auth: token:} verifies RS256 JWTs issued by
 * an in-test {@link TokenServer} whose signing certificate (made with {@code openssl req -x509}) is
 * the registry's {@code rootcertbundle}. Any mode may serve https ({@link #withTls()}) with a self-signed
 * certificate for 127.0.0.1, which {@link #trustStore()} trusts. {@link #start()} returns once {@code /v2/} answers;
 * {@link #close()} stops the process and deletes everything.
 *
 * <p>The binary can be overridden with the system property {@code registry.binary}.
 */
public final class RegistryServer implements AutoCloseable {
  /** The token service name Distribution expects in the JWT {@code aud}. */
  public static final String SERVICE = "soci-test-registry";
  static final String ISSUER = "soci-test-issuer";

  private enum Mode { ANONYMOUS, BASIC, TOKEN }

  private final Mode mode;
  private final String username;
  private final String password;
  private Path dir;
  private Process process;
  private TokenServer tokenServer;
  /** The identity token the token server also takes (token mode), or null. */
  private String identityToken;
  private int port;
  private boolean tls;
  private Path trustStore;

  private RegistryServer(Mode mode, String username, String password) {
    this.mode = mode;
    this.username = username;
    this.password = password;
  }

  /** A registry anyone may pull from and push to. */
  public static RegistryServer anonymous() {
    return new RegistryServer(Mode.ANONYMOUS, null, null);
  }

  /** A registry demanding HTTP basic auth for {@code user}/{@code password} on every request. */
  public static RegistryServer basicAuth(String user, String password) {
    return new RegistryServer(Mode.BASIC, user, password);
  }

  /**
   * A registry demanding Bearer tokens; the token server grants the requested pull/push scopes to
   * {@code user}/{@code password}, grants nothing to anonymous callers, and answers 401 to wrong
   * passwords.
   */
  public static RegistryServer tokenAuth(String user, String password) {
    return new RegistryServer(Mode.TOKEN, user, password);
  }

  /**
   * As {@link #tokenAuth(String, String)}, and the token server also takes {@code identityToken} in the
   * OAuth 2 refresh-token grant ({@code POST}), granting the user's scopes.
   */
  public static RegistryServer tokenAuth(String user, String password, String identityToken) {
    RegistryServer r = new RegistryServer(Mode.TOKEN, user, password);
    r.identityToken = identityToken;
    return r;
  }

  /**
   * Serves https instead of http, with a self-signed P-256 certificate for IP 127.0.0.1 made with {@code openssl};
   * call before {@link #start()}.
   */
  public RegistryServer withTls() {
    this.tls = true;
    return this;
  }

  /**
   * A PKCS #12 trust store (password {@code changeit}) holding this JVM's default trust anchors and the registry's
   * certificate, so a client given it ({@code -Djavax.net.ssl.trustStore}) loads as much as with the default one;
   * only in TLS mode, after {@link #start()}.
   */
  public Path trustStore() {
    if (trustStore == null) {
      throw new IllegalStateException("not a started TLS registry");
    }
    return trustStore;
  }

  /** {@code https} in TLS mode, else {@code http}. */
  public String scheme() {
    return tls ? "https" : "http";
  }

  /** Starts the registry and waits (up to 20 s) until {@code /v2/} answers. */
  public RegistryServer start() {
    try {
      dir = Files.createTempDirectory("registry-");
      Path storage = Files.createDirectories(dir.resolve("storage"));
      StringBuilder auth = new StringBuilder();
      if (mode == Mode.BASIC) {
        Path htpasswd = dir.resolve("htpasswd");
        Files.writeString(htpasswd, run(List.of("htpasswd", "-Bbn", username, password)));
        auth.append("auth:\n  htpasswd:\n    realm: soci-test\n    path: ").append(htpasswd).append('\n');
      } else if (mode == Mode.TOKEN) {
        Path key = dir.resolve("token-key.pem");
        Path cert = dir.resolve("token-cert.pem");
        run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(),
            "-out", cert.toString(), "-days", "2", "-subj", "/CN=soci-test-token-issuer"));
        tokenServer = TokenServer.start(key, cert, ISSUER, SERVICE, username, password, identityToken);
        auth.append("auth:\n  token:\n    realm: ").append(tokenServer.realm())
            .append("\n    service: ").append(SERVICE)
            .append("\n    issuer: ").append(ISSUER)
            .append("\n    rootcertbundle: ").append(cert).append('\n');
      }
      StringBuilder tlsConfig = new StringBuilder();
      if (tls) {
        Path key = dir.resolve("tls-key.pem");
        Path cert = dir.resolve("tls-cert.pem");
        run(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1"));
        tlsConfig.append("  tls:\n    certificate: ").append(cert).append("\n    key: ").append(key).append('\n');
        trustStore = TlsTrust.writeTrustStore(cert, dir.resolve("truststore.p12"));
      }
      // The free port may be taken by someone else before the registry binds it: try a few.
      for (int attempt = 1; ; attempt++) {
        port = freePort();
        Path config = dir.resolve("config.yml");
        Files.writeString(config, String.join("\n",
            "version: 0.1",
            "log:",
            "  level: warn",
            "  accesslog:",
            "    disabled: true",
            "storage:",
            "  filesystem:",
            "    rootdirectory: " + storage,
            "  delete:",
            "    enabled: true",
            "  maintenance:",
            "    uploadpurging:",
            "      enabled: false",
            "http:",
            "  addr: 127.0.0.1:" + port,
            "  secret: soci-test-secret",
            "") + tlsConfig + auth);
        process = new ProcessBuilder(System.getProperty("registry.binary", "/usr/bin/docker-registry"), "serve",
            config.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("registry.log").toFile())
            .start();
        try {
          waitUntilReady();
          return this;
        } catch (IllegalStateException e) {
          if (attempt >= 3 || process.isAlive() || !log().contains("address already in use")) {
            throw e;
          }
        }
      }
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("cannot start docker-registry (is /usr/bin/docker-registry installed?)", e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private void waitUntilReady() {
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1));
    if (tls) {
      builder.sslContext(TlsTrust.sslContext(trustStore));
    }
    HttpClient http = builder.build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("docker-registry exited with " + process.exitValue() + ":\n" + log());
      }
      try {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(scheme() + "://" + hostPort() + "/v2/"))
            .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200 || r.statusCode() == 401) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for docker-registry", e);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for docker-registry", e);
      }
    }
    throw new IllegalStateException("docker-registry did not answer on " + hostPort() + " within 20 s:\n" + log());
  }

  /** {@code 127.0.0.1:<port>}. */
  public String hostPort() {
    return "127.0.0.1:" + port;
  }

  /** The configured user, or null for an anonymous registry. */
  public String username() {
    return username;
  }

  /** The configured password, or null for an anonymous registry. */
  public String password() {
    return password;
  }

  /** skopeo's {@code --dest-creds user:password} arguments, or none for an anonymous registry. */
  public String[] destCredsArgs() {
    return username == null ? new String[0] : new String[] {"--dest-creds", username + ":" + password};
  }

  /** Number of token requests answered (token mode only, else 0). */
  public int tokenRequests() {
    return tokenServer == null ? 0 : tokenServer.requests();
  }

  /** The query strings of the token requests so far (service and scopes; token mode only). */
  public List<String> tokenQueries() {
    return tokenServer == null ? List.of() : tokenServer.queries();
  }

  /** The registry's log so far (for failure messages). */
  public String log() {
    try {
      return dir == null ? "" : Files.readString(dir.resolve("registry.log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
    if (tokenServer != null) {
      tokenServer.close();
      tokenServer = null;
    }
    deleteRecursively(dir);
    dir = null;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  /** Runs a short command, returning stdout; fails with its output on a non-zero exit. */
  static String run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(command.get(0) + " failed: " + out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command.get(0), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command.get(0), e);
    }
  }

  static void deleteRecursively(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          // best effort: temp dirs
        }
      });
    } catch (IOException ignored) {
      // best effort
    }
  }
}
