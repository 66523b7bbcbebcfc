package dev.socibuilder.testing.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Docker token service for {@link RegistryServer} in token mode: {@code GET /token?service=..
 * &scope=repository:NAME:ACTIONS} answers {@code {"token":..,"access_token":..,"expires_in":300}}
 * with an RS256 JWT whose header carries the signing certificate in {@code x5c} (Distribution 2.8
 * verifies that chain against its {@code rootcertbundle}; the self-signed cert is its own root).
 * The configured user gets every scope it asks for; anonymous callers get a token with no access;
 * a wrong password gets 401. With an identity token configured, {@code POST /token} takes the OAuth 2
 * refresh-token grant ({@code grant_type=refresh_token&refresh_token=..&client_id=..&service=..&scope=..},
 * the scopes space-separated) and answers {@code {"access_token":..,"expires_in":300}} only; another grant,
 * a missing client id (400) or another refresh token (401) is refused.
 */
final class TokenServer implements AutoCloseable {
  private final HttpServer server;
  private final PrivateKey key;
  private final String x5c;
  private final String issuer;
  private final String service;
  private final String user;
  private final String password;
  private final String identityToken;
  private final AtomicInteger requests = new AtomicInteger();
  private final List<String> queries = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "test-token-server");
    t.setDaemon(true);
    return t;
  });

  private TokenServer(HttpServer server, PrivateKey key, String x5c, String issuer, String service, String user,
      String password, String identityToken) {
    this.server = server;
    this.key = key;
    this.x5c = x5c;
    this.issuer = issuer;
    this.service = service;
    this.user = user;
    this.password = password;
    this.identityToken = identityToken;
  }

  static TokenServer start(Path keyPem, Path certPem, String issuer, String service, String user, String password,
      String identityToken) {
    try {
      PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pem(keyPem, "PRIVATE KEY")));
      X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(certPem)));
      String x5c = Base64.getEncoder().encodeToString(cert.getEncoded());
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      TokenServer ts = new TokenServer(server, key, x5c, issuer, service, user, password, identityToken);
      server.createContext("/token", ts::handle);
      server.setExecutor(ts.executor);
      server.start();
      return ts;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot load the token signing key", e);
    }
  }

  private static byte[] pem(Path file, String type) throws IOException {
    String text = Files.readString(file);
    int begin = text.indexOf("-----BEGIN " + type + "-----");
    int end = text.indexOf("-----END " + type + "-----");
    if (begin < 0 || end < 0) {
      throw new IOException(file + " has no " + type);
    }
    return Base64.getMimeDecoder().decode(text.substring(begin + type.length() + 16, end));
  }

  String realm() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
  }

  int requests() {
    return requests.get();
  }

  List<String> queries() {
    return List.copyOf(queries);
  }

  /** The decoded parameters of a query or form, in order (a name may repeat). */
  private static List<String[]> params(String raw) {
    List<String[]> out = new ArrayList<>();
    for (String param : raw == null || raw.isEmpty() ? new String[0] : raw.split("&")) {
      int eq = param.indexOf('=');
      String k = eq < 0 ? param : param.substring(0, eq);
      String v = eq < 0 ? "" : URLDecoder.decode(param.substring(eq + 1), StandardCharsets.UTF_8);
      out.add(new String[] {k, v});
    }
    return out;
  }

  private static String param(List<String[]> params, String name) {
    return params.stream().filter(p -> p[0].equals(name)).map(p -> p[1]).findFirst().orElse(null);
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      requests.incrementAndGet();
      boolean post = "POST".equals(ex.getRequestMethod());
      String subject = "";
      boolean authenticated = false;
      String requestedService;
      List<String> scopes = new ArrayList<>();
      if (post) {
        List<String[]> form = params(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        requestedService = param(form, "service");
        String scope = param(form, "scope");
        if (scope != null && !scope.isEmpty()) {
          scopes.addAll(List.of(scope.split(" ")));
        }
        queries.add("POST service=" + requestedService + "&scope=" + String.join(" ", scopes));
        if (identityToken == null || !"refresh_token".equals(param(form, "grant_type"))) {
          reply(ex, 400, "{\"error\":\"unsupported_grant_type\"}");
          return;
        }
        String clientId = param(form, "client_id");
        if (clientId == null || clientId.isEmpty()) {
          reply(ex, 400, "{\"error\":\"invalid_request\",\"error_description\":\"client_id is required\"}");
          return;
        }
        if (!identityToken.equals(param(form, "refresh_token"))) {
          reply(ex, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"invalid refresh token\"}]}");
          return;
        }
        subject = user;
        authenticated = true;
      } else {
        queries.add(URLDecoder.decode(String.valueOf(ex.getRequestURI().getRawQuery()), StandardCharsets.UTF_8));
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth != null && auth.startsWith("Basic ")) {
          String decoded = new String(Base64.getDecoder().decode(auth.substring(6).trim()), StandardCharsets.UTF_8);
          if (!decoded.equals(user + ":" + password)) {
            reply(ex, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"invalid username or password\"}]}");
            return;
          }
          subject = user;
          authenticated = true;
        }
        List<String[]> query = params(ex.getRequestURI().getRawQuery());
        requestedService = param(query, "service");
        query.stream().filter(p -> p[0].equals("scope")).forEach(p -> scopes.add(p[1]));
      }
      List<String> access = new ArrayList<>();
      for (String scope : authenticated ? scopes : List.<String>of()) {
        String[] parts = scope.split(":");
        if (parts.length == 3) {
          StringBuilder actions = new StringBuilder();
          for (String a : parts[2].split(",")) {
            actions.append(actions.length() > 0 ? "," : "").append('"').append(a).append('"');
          }
          access.add("{\"type\":\"" + parts[0] + "\",\"name\":\"" + parts[1] + "\",\"actions\":[" + actions + "]}");
        }
      }
      if (!service.equals(requestedService)) {
        reply(ex, 400, "{\"errors\":[{\"code\":\"BAD_REQUEST\",\"message\":\"unknown service\"}]}");
        return;
      }
      long now = Instant.now().getEpochSecond();
      String header = "{\"typ\":\"JWT\",\"alg\":\"RS256\",\"x5c\":[\"" + x5c + "\"]}";
      String claims = "{\"iss\":\"" + issuer + "\",\"sub\":\"" + subject + "\",\"aud\":\"" + service + "\",\"exp\":"
          + (now + 300) + ",\"nbf\":" + (now - 60) + ",\"iat\":" + (now - 60) + ",\"jti\":\"" + UUID.randomUUID()
          + "\",\"access\":[" + String.join(",", access) + "]}";
      String signingInput = b64url(header.getBytes(StandardCharsets.UTF_8)) + "." + b64url(claims.getBytes(StandardCharsets.UTF_8));
      String jwt;
      try {
        Signature sig = Signature.getInstance("SHA256withRSA");
        sig.initSign(key);
        sig.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        jwt = signingInput + "." + b64url(sig.sign());
      } catch (GeneralSecurityException e) {
        throw new IOException("cannot sign token", e);
      }
      reply(ex, 200, post
          ? "{\"access_token\":\"" + jwt + "\",\"expires_in\":300}"
          : "{\"token\":\"" + jwt + "\",\"access_token\":\"" + jwt + "\",\"expires_in\":300}");
    }
  }

  private static String b64url(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static void reply(HttpExchange ex, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, body.length);
    ex.getResponseBody().write(body);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
