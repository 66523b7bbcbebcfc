package dev.socibuilder.registry;

import dev.socibuilder.json.JsonException;
import dev.socibuilder.json.JsonParser;
import dev.socibuilder.json.JsonValue;
import dev.socibuilder.json.JsonValue.JsonNumber;
import dev.socibuilder.json.JsonValue.JsonObject;
import dev.socibuilder.registry.http.Headers;
import dev.socibuilder.registry.http.Request;
import dev.socibuilder.registry.http.Response;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Answers registry authentication challenges. Requests go out anonymously until the registry answers
 * 401; its {@code WWW-Authenticate} challenge is then remembered per registry. {@code Basic} sends the
 * {@link CredentialsProvider}'s credentials on every later request; {@code Bearer} fetches a token from
 * the challenge's realm ({@code GET realm?service=..&scope=repository:REPO:pull[,push]}, plus
 * {@code &scope=repository:FROM:pull} for a cross-repository mount; with the basic credentials if there
 * are any) and caches it per registry and scope until shortly before it expires. With an identity token
 * ({@link Credentials#isIdentityToken()}) the token comes from the OAuth 2 refresh-token grant instead:
 * {@code POST realm} with the form {@code grant_type=refresh_token&refresh_token=..&service=..&scope=..
 * &client_id=soci-builder} (the scopes space-separated); an identity token is never sent as Basic.
 * Reads ask for {@code pull}, writes for {@code pull,push}, the catalog for {@code registry:catalog:*}.
 * Credentials and tokens never appear in exceptions.
 *
 * <p>A realm must be an http(s) URL, and for a registry reached over https an https one: a realm that
 * would take the credentials from https to plain http is refused, with nothing sent.
 */
final class Authenticator {
  static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(60);
  /** The OAuth 2 client id sent with a refresh-token grant (Distribution's token spec requires one). */
  static final String CLIENT_ID = "soci-builder";
  private static final int MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;

  /** Sends a request with the given Authorization header (or none), without answering challenges. */
  @FunctionalInterface
  interface Sender {
    Response send(Request.Builder request, String authorization)
        throws IOException, InterruptedException;
  }

  private record Token(String value, long expiresAtNanos) {}

  private final CredentialsProvider credentials;
  private final Sender sender;
  private final Consumer<URI> clearText;
  private final Duration timeout;
  private final boolean plainHttp;
  private final Map<String, AuthChallenge> challenges = new ConcurrentHashMap<>();
  private final Map<String, Token> tokens = new ConcurrentHashMap<>();

  /**
   * @param credentials per-registry credentials ({@link CredentialsProvider#anonymous()} for none)
   * @param sender sends token requests
   * @param clearText told where an identity token is about to go in a request body (the sender is told
   *     about Authorization headers itself), to warn if that is plain HTTP
   * @param timeout how long a token service may take to answer
   * @param plainHttp whether the registry itself is reached over plain http (then an http realm is fine)
   */
  Authenticator(CredentialsProvider credentials, Sender sender, Consumer<URI> clearText, Duration timeout,
      boolean plainHttp) {
    this.credentials = credentials;
    this.sender = sender;
    this.clearText = clearText;
    this.timeout = timeout;
    this.plainHttp = plainHttp;
  }

  /** The Authorization header for a registry whose challenge is already known, or null. */
  String knownAuthorization(Op op) throws IOException, InterruptedException {
    AuthChallenge c = challenges.get(op.registry());
    if (c == null) {
      return null;
    }
    if (c.isBasic()) {
      return basic(op, credentials.credentialsFor(op.registry()));
    }
    Token t = tokens.get(tokenKey(op));
    if (t != null && System.nanoTime() - t.expiresAtNanos() < 0) {
      return "Bearer " + t.value();
    }
    return answer(op, c);
  }

  /**
   * The Authorization header to re-send a request with after a 401.
   *
   * @param headers the 401's headers (its {@code WWW-Authenticate} challenge)
   * @param sent the Authorization header the refused request carried, or null
   * @throws RegistryException if the challenge cannot be answered, or answering it would repeat what
   *     was refused
   */
  String afterChallenge(Op op, Headers headers, String sent) throws IOException, InterruptedException {
    AuthChallenge challenge = AuthChallenge.parse(headers.firstValue("WWW-Authenticate").orElse(null));
    if (challenge == null || !(challenge.isBasic() || challenge.isBearer())) {
      throw failure(op, 401, null, "registry sent no usable WWW-Authenticate challenge");
    }
    challenges.put(op.registry(), challenge);
    String authorization = answer(op, challenge);
    if (authorization == null) {
      throw failure(op, 401, null,
          "registry requires authentication and no credentials are configured for " + op.registry());
    }
    if (challenge.isBasic() && authorization.equals(sent)) {
      throw failure(op, 401, null, rejected(op));
    }
    return authorization;
  }

  /** The failure of a request that was refused again after the challenge was answered. */
  RegistryException refused(Op op, ErrorBody error) {
    return failure(op, 401, error.code(), rejected(op) + (error.message() != null ? " (" + error.message() + ")" : ""));
  }

  private String rejected(Op op) {
    Credentials c = credentials.credentialsFor(op.registry());
    return c == null ? "anonymous access refused" : "registry rejected " + whose(c);
  }

  /** Who a refusal was for, without the secret. */
  private static String whose(Credentials c) {
    return c.isIdentityToken() ? "the identity token" : "the credentials of user '" + c.username() + "'";
  }

  private String answer(Op op, AuthChallenge c) throws IOException, InterruptedException {
    if (c.isBasic()) {
      return basic(op, credentials.credentialsFor(op.registry()));
    }
    tokens.remove(tokenKey(op));
    Token t = fetchToken(op, c);
    tokens.put(tokenKey(op), t);
    return "Bearer " + t.value();
  }

  /**
   * The Basic header of {@code c} (null for none).
   *
   * @throws RegistryException if {@code c} is an identity token: only a token service takes one
   */
  private static String basic(Op op, Credentials c) {
    if (c != null && c.isIdentityToken()) {
      throw failure(op, 401, null, "the credentials for " + op.registry() + " are an identity token, which only "
          + "a token service takes, and the registry asks for Basic authentication; log in with a user and "
          + "password");
    }
    return basic(c);
  }

  private static String basic(Credentials c) {
    if (c == null) {
      return null;
    }
    return "Basic " + Base64.getEncoder()
        .encodeToString((c.username() + ":" + c.password()).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The token scopes: {@code pull} or {@code pull,push} on the operation's repository, and for a
   * cross-repository mount also {@code pull} on the repository the blob comes from; the catalog listing
   * (the one registry-wide operation) asks for {@code registry:catalog:*}.
   */
  private static List<String> scopes(Op op) {
    if (op.repository() == null) {
      return Op.LIST_REPOSITORIES.equals(op.action()) ? List.of("registry:catalog:*") : List.of();
    }
    String own = "repository:" + op.repository() + ":" + (op.push() ? "pull,push" : "pull");
    return op.mountFrom() == null ? List.of(own) : List.of(own, "repository:" + op.mountFrom() + ":pull");
  }

  private static String tokenKey(Op op) {
    return op.registry() + " " + String.join(" ", scopes(op));
  }

  private Token fetchToken(Op op, AuthChallenge c) throws IOException, InterruptedException {
    String realm = c.params().get("realm");
    if (realm == null || realm.isEmpty()) {
      throw failure(op, 401, null, "Bearer challenge without a realm");
    }
    StringBuilder q = new StringBuilder();
    String service = c.params().get("service");
    if (service != null) {
      q.append("service=").append(URLEncoder.encode(service, StandardCharsets.UTF_8));
    }
    for (String scope : scopes(op)) {
      q.append(q.length() > 0 ? "&" : "").append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
    }
    URI uri;
    try {
      uri = Transport.appendQuery(URI.create(realm.strip()), q.toString());
    } catch (IllegalArgumentException e) {
      throw failure(op, 401, null, "Bearer challenge has a malformed realm '" + realm + "'");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null) {
      throw failure(op, 401, null, "Bearer challenge has a realm that is not an http(s) URL: '" + realm + "'");
    }
    if (!plainHttp && scheme.equals("http")) {
      throw failure(op, 401, null, "the registry is https but its token service realm is plain http ("
          + uri.getScheme() + "://" + uri.getRawAuthority() + "); refusing to send credentials unencrypted");
    }
    Credentials creds = credentials.credentialsFor(op.registry());
    Response r;
    if (creds != null && creds.isIdentityToken()) {
      // The refresh-token grant: the token travels in the body, never in the URL (nor in a log line).
      URI endpoint = URI.create(realm.strip());
      StringBuilder form = new StringBuilder("grant_type=refresh_token&refresh_token=")
          .append(URLEncoder.encode(creds.password(), StandardCharsets.UTF_8))
          .append("&client_id=").append(CLIENT_ID);
      if (service != null) {
        form.append("&service=").append(URLEncoder.encode(service, StandardCharsets.UTF_8));
      }
      if (!scopes(op).isEmpty()) {
        form.append("&scope=").append(URLEncoder.encode(String.join(" ", scopes(op)), StandardCharsets.UTF_8));
      }
      clearText.accept(endpoint); // a long-lived secret, as Basic credentials are
      r = sender.send(Request.newBuilder(endpoint).POST(form.toString().getBytes(StandardCharsets.UTF_8))
          .header("Content-Type", "application/x-www-form-urlencoded").timeout(timeout), null);
    } else {
      r = sender.send(Request.newBuilder(uri).GET().timeout(timeout), basic(creds));
    }
    int s = r.statusCode();
    if (s != 200) {
      ErrorBody e = Transport.readError(r);
      String who = creds == null ? "anonymous access" : creds.isIdentityToken() ? "the identity token"
          : "user '" + creds.username() + "'";
      String detail = "token service " + uri.getScheme() + "://" + uri.getAuthority() + " refused " + who
          + (e.message() != null ? " (" + e.message() + ")" : "");
      boolean transientFailure = s >= 500 || s == 429;
      throw new RegistryException("authenticate for " + op.action(), op.registry(), op.repository(),
          op.reference(), s, e.code(), detail, transientFailure, HeaderValues.retryAfter(r.headers()), null);
    }
    byte[] body = Transport.readLimited(r, MAX_TOKEN_RESPONSE_BYTES, op);
    JsonValue json;
    try {
      json = JsonParser.parse(body);
    } catch (JsonException e) {
      throw failure(op, s, null, "token service answered with malformed JSON");
    }
    String token = HeaderValues.stringMember(json, "token");
    if (token == null || token.isEmpty()) {
      token = HeaderValues.stringMember(json, "access_token");
    }
    if (token == null || token.isEmpty()) {
      throw failure(op, s, null, "token service answered without a token");
    }
    Duration lifetime = DEFAULT_TOKEN_LIFETIME;
    if (json instanceof JsonObject o && o.get("expires_in") instanceof JsonNumber n) {
      // A fractional lifetime counts its whole seconds.
      long seconds = (long) Double.parseDouble(n.text());
      if (seconds > 0) {
        lifetime = Duration.ofSeconds(seconds);
      }
    }
    // Renew a little early so a token never expires between being picked and being checked.
    Duration usable = lifetime.minus(lifetime.dividedBy(10).compareTo(Duration.ofSeconds(30)) < 0
        ? lifetime.dividedBy(10) : Duration.ofSeconds(30));
    return new Token(token, System.nanoTime() + usable.toNanos());
  }

  private static RegistryException failure(Op op, int status, String code, String detail) {
    return new RegistryException("authenticate for " + op.action(), op.registry(), op.repository(),
        op.reference(), status, code, detail, false, null);
  }
}
