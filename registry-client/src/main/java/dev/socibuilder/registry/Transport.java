package dev.socibuilder.registry;

import dev.socibuilder.registry.http.Http1Client;
import dev.socibuilder.registry.http.ReadGuard;
import dev.socibuilder.registry.http.Request;
import dev.socibuilder.registry.http.Response;
import dev.socibuilder.ztoc.BuildInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ProxySelector;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * Sends the registry client's requests over HTTP/1.1 ({@link Http1Client}): answers
 * authentication challenges through the {@link Authenticator}, retries transient failures per the
 * {@link RetryPolicy}, turns unexpected responses into {@link RegistryException}s with the registry's
 * own error code and message, and guards every response body it hands out against stalls.
 *
 * <p>Transient: 5xx, 429 (honouring {@code Retry-After}), 408, timeouts and I/O errors; other 4xx are
 * permanent.
 *
 * <p><b>Limits.</b> Every request's headers must arrive within the timeout, and every read of every
 * response body (manifests, tokens, referrers, error and upload bodies, blobs) must return data within
 * it, else it fails as a timeout (a socket timeout on each read: no watchdog thread). Nothing goes past
 * the {@link Deadline}: requests are sent with the shorter of the timeout and the time left, each body
 * read waits at most the time left, and a retry wait that would end after it is not started.
 *
 * <p><b>Credentials</b> go only to the registry's own origin (scheme, host, port): a request to another
 * origin (an upload {@code Location}, a storage redirect) is sent without them and its challenges are
 * not answered. Every request carries {@code User-Agent: soci-builder/<version>}.
 */
final class Transport implements AutoCloseable {
  static final int MAX_ERROR_BYTES = 64 * 1024;

  /** Sleeps between retries; injectable so tests can observe delays instead of waiting them out. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  /** A unit of work retried as a whole on transient failures. */
  @FunctionalInterface
  interface Attempt<T> {
    T run() throws IOException, InterruptedException;
  }

  /**
   * The waits of one operation so far, against {@link RetryPolicy#retryBudget()}; may be shared by the
   * threads of one operation.
   */
  static final class RetryState {
    private Duration waited = Duration.ZERO;
  }

  private final RetryPolicy retry;
  private final boolean plainHttp;
  private final Duration timeout;
  private final Deadline deadline;
  private final Sleeper sleeper;
  private final Consumer<String> warnings;
  private final String userAgent;
  /** What was warned about already (an origin, a registry's ranges): each warning is given once. */
  private final Set<String> warned = ConcurrentHashMap.newKeySet();
  private final Http1Client http;
  private final Authenticator auth;
  private final ReadGuard bodyReads = new BodyReads();

  /**
   * @param credentials per-registry credentials, or null for anonymous
   * @param timeout connect timeout, time for a response's headers, and the longest a body read may block
   * @param deadline the run's deadline ({@link Deadline#none()} for none)
   * @param warnings receives one line per warning (credentials or tokens over plain HTTP), once per origin
   * @param sslContext the TLS context, or null for the JDK's default
   */
  Transport(CredentialsProvider credentials, RetryPolicy retry, boolean plainHttp, Duration timeout, Deadline deadline,
      Sleeper sleeper, Consumer<String> warnings, SSLContext sslContext) {
    this.retry = Objects.requireNonNull(retry, "retry");
    this.plainHttp = plainHttp;
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    this.deadline = Objects.requireNonNull(deadline, "deadline");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.warnings = warnings != null ? warnings : w -> { };
    this.userAgent = "soci-builder/" + BuildInfo.version();
    // Not java.net.http.HttpClient: see Http1Client for why. Proxies as java.net.http would use them:
    // the default ProxySelector (the http(s).proxyHost system properties).
    this.http = new Http1Client(sslContext, timeout, ProxySelector.getDefault());
    this.auth = new Authenticator(
        credentials != null ? credentials : CredentialsProvider.anonymous(), this::send, this::warnIfClearText,
        timeout, plainHttp);
  }

  /** {@code http(s)://registry/v2/repository + path}. */
  URI uri(String registry, String repository, String path) {
    return URI.create(origin(registry) + "/v2/" + repository + path);
  }

  /** {@code http(s)://registry}: where the registry's credentials may go. */
  String origin(String registry) {
    return (plainHttp ? "http://" : "https://") + registry;
  }

  /**
   * Sends a request; to the registry's own origin with whatever authorization the registry is known to
   * want, answering a 401 challenge once and re-sending (the request is rebuilt for the re-send: bodies
   * are byte arrays). A request to another origin goes without credentials, and a 401 from there fails.
   */
  Response exchange(Op op, Supplier<Request.Builder> request)
      throws IOException, InterruptedException {
    Request.Builder first = request.get();
    URI target = first.build().uri();
    URI home = URI.create(origin(op.registry()));
    if (!sameOrigin(target, home)) {
      Response r = send(first, null);
      if (r.statusCode() == 401) {
        ErrorBody e = readError(r);
        throw op.failure(401, e.code(), originOf(target) + " asks for credentials; they are only sent to the registry's"
            + " own origin " + originOf(home), false);
      }
      return r;
    }
    String authorization = auth.knownAuthorization(op);
    Response r = send(first, authorization);
    if (r.statusCode() != 401) {
      return r;
    }
    closeQuietly(r);
    String retryAuthorization = auth.afterChallenge(op, r.headers(), authorization);
    r = send(request.get(), retryAuthorization);
    if (r.statusCode() == 401) {
      throw auth.refused(op, readError(r));
    }
    return r;
  }

  /**
   * Sends a request with {@code authorization} (or none) and the User-Agent, within the timeout (or the
   * request's own) and never past the deadline. The response body is guarded against stalls.
   */
  Response send(Request.Builder b, String authorization)
      throws IOException, InterruptedException {
    b.setHeader("User-Agent", userAgent);
    if (authorization != null) {
      b.setHeader("Authorization", authorization);
    }
    Request req = b.build();
    Duration wait = deadline.cap(req.timeout().orElse(timeout));
    if (wait.isZero()) {
      throw new HttpTimeoutException("the deadline passed before the request was sent");
    }
    req = req.withTimeout(wait);
    if (authorization != null) {
      warnIfClearText(req.uri());
    }
    return http.send(req, bodyReads);
  }

  /** Warns once per {@code key} (e.g. per registry), so that a run over many blobs does not repeat itself. */
  void warnOnce(String key, String message) {
    if (warned.add(key)) {
      warnings.accept(message);
    }
  }

  /**
   * Warns (once per origin) that credentials go over plain HTTP to a host that is not this one: a Basic
   * or Bearer Authorization header, or an identity token in a token request's body.
   */
  void warnIfClearText(URI uri) {
    if (!"http".equalsIgnoreCase(uri.getScheme()) || isLoopback(uri.getHost())) {
      return;
    }
    String origin = originOf(uri);
    warnOnce(origin, "credentials for " + origin + " are sent over plain HTTP, unencrypted");
  }

  /** {@code localhost}, {@code 127.x.x.x} or {@code ::1}: traffic that never leaves the machine. */
  static boolean isLoopback(String host) {
    if (host == null) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.equals("localhost") || h.endsWith(".localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")) {
      return true;
    }
    return h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }

  /** Runs {@code attempt}, retrying transient failures with backoff; the last failure is thrown. */
  <T> T withRetries(Op op, Attempt<T> attempt) {
    RetryState state = new RetryState();
    for (int n = 1; ; n++) {
      RegistryException failure;
      try {
        return attempt.run();
      } catch (RegistryException e) {
        failure = e;
      } catch (IOException e) {
        failure = ioFailure(op, e);
      } catch (UncheckedIOException e) {
        failure = ioFailure(op, e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RegistryException(op.action(), op.registry(), op.repository(), op.reference(), 0, null,
            "interrupted", false, e);
      }
      if (deadline.expired()) {
        throw deadline.exceeded(op.describe(), failure);
      }
      if (!failure.isTransient() || n >= retry.maxAttempts()) {
        throw failure;
      }
      backOff(op, state, n, failure);
    }
  }

  /**
   * Waits before attempt {@code attempt + 1} of {@code op} after {@code failure}: its {@code Retry-After}
   * or the policy's backoff, at most {@link RetryPolicy#maxWait()}.
   *
   * @throws RegistryException {@code failure}, noted, if the wait would exceed the operation's retry budget
   * @throws DeadlineExceededException if the wait would end after the deadline
   */
  void backOff(Op op, RetryState state, int attempt, RegistryException failure) {
    Duration backoff = retry.delayAfter(attempt, ThreadLocalRandom.current().nextDouble());
    Duration asked = failure.retryAfter().orElse(null);
    Duration wait = asked != null ? asked : backoff;
    String why = asked != null ? " (Retry-After)" : "";
    if (wait.compareTo(retry.maxWait()) > 0) {
      wait = retry.maxWait();
      why = " (the registry asked for " + Deadline.format(asked) + ", the longest single wait is "
          + Deadline.format(retry.maxWait()) + ")";
    }
    // One state may be shared by the threads of one operation (the parts of a blob): check and count
    // the wait together.
    synchronized (state) {
      if (state.waited.plus(wait).compareTo(retry.retryBudget()) > 0) {
        throw failure.withNote("gave up after " + attempt + " attempt(s): waiting another " + Deadline.format(wait)
            + why + " would exceed the retry budget of " + Deadline.format(retry.retryBudget()));
      }
      if (wait.compareTo(deadline.remaining()) >= 0) {
        throw new DeadlineExceededException(failure.getMessage() + "; not retried: waiting " + Deadline.format(wait)
            + why + " would pass " + deadline, failure);
      }
      state.waited = state.waited.plus(wait);
    }
    try {
      sleeper.sleep(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException(op.action(), op.registry(), op.repository(), op.reference(), 0, null,
          "interrupted", false, e);
    }
  }

  RetryPolicy retryPolicy() {
    return retry;
  }

  Deadline deadline() {
    return deadline;
  }

  Duration timeout() {
    return timeout;
  }

  /**
   * Resolves a redirect's or an upload's {@code Location} against the URI it came with. Only absolute
   * http(s) URLs with a host are followed.
   *
   * @param what e.g. "redirect", "upload response"; for the message
   * @throws RegistryException (permanent) if it is missing, malformed or of another scheme
   */
  static URI location(Op op, Response r, String what) {
    String loc = r.headers().firstValue("Location").orElse(null);
    if (loc == null || loc.isBlank()) {
      // A redirect without a target is the registry's mistake; an upload answer without one may be a glitch.
      throw op.failure(r.statusCode(), null, what + " has no Location header", !isRedirect(r.statusCode()));
    }
    URI next;
    try {
      next = r.uri().resolve(loc.strip());
    } catch (IllegalArgumentException e) {
      throw op.failure(r.statusCode(), null, what + " has a malformed Location '" + loc + "'", false);
    }
    String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw op.failure(r.statusCode(), null, what + " points at " + (scheme.isEmpty() ? "a relative" : "a " + scheme + ":")
          + " URL '" + loc + "'; only http and https URLs are followed", false);
    }
    if (next.getHost() == null || next.getHost().isEmpty()) {
      throw op.failure(r.statusCode(), null, what + " has a Location without a host '" + loc + "'", false);
    }
    return next;
  }

  static RegistryException ioFailure(Op op, IOException e) {
    String what;
    if (e instanceof HttpTimeoutException) {
      what = "timed out (" + reason(e) + ")";
    } else if (e instanceof ConnectException || e instanceof UnknownHostException) {
      what = "cannot connect (" + reason(e) + ")";
    } else {
      String m = reason(e);
      what = e.getClass().getSimpleName() + (m != null ? ": " + m : "");
    }
    return new RegistryException(op.action(), op.registry(), op.repository(), op.reference(), 0, null, what, true, e);
  }

  /**
   * The first message in {@code e}'s cause chain; the JDK's connect failures carry theirs only on the
   * cause ({@code ConnectException: null} caused by {@code ConnectException: Connection refused}).
   */
  private static String reason(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
        return "unknown host";
      }
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        return t.getMessage();
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return e instanceof ConnectException ? "connection refused or host unreachable" : null;
  }

  /** Classifies an unexpected response; reads (and closes) its error body. */
  static RegistryException failure(Op op, Response r) {
    int s = r.statusCode();
    ErrorBody e = readError(r);
    boolean transientFailure = s >= 500 || s == 429 || s == 408;
    String detail = e.message();
    if (isRedirect(s)) {
      detail = "unexpected redirect" + (detail != null ? " - " + detail : "");
    }
    return new RegistryException(op.action(), op.registry(), op.repository(), op.reference(), s, e.code(),
        detail, transientFailure, transientFailure ? HeaderValues.retryAfter(r.headers()) : null, null);
  }

  /** The response's error body (at most {@link #MAX_ERROR_BYTES} read); closes the body. */
  static ErrorBody readError(Response r) {
    byte[] body;
    try (InputStream in = r.body()) {
      body = in.readNBytes(MAX_ERROR_BYTES);
    } catch (IOException e) {
      return ErrorBody.NONE;
    }
    return ErrorBody.parse(body);
  }

  /** The whole body, which must not exceed {@code limit} bytes nor end before its Content-Length; closes it. */
  static byte[] readLimited(Response r, int limit, Op op) throws IOException {
    try (InputStream in = r.body()) {
      byte[] bytes = in.readNBytes(limit + 1);
      if (bytes.length > limit) {
        throw op.failure(r.statusCode(), null, "response larger than " + limit + " bytes", false);
      }
      long declared = r.headers().firstValueAsLong("Content-Length").orElse(-1);
      if (declared >= 0 && declared != bytes.length) {
        throw new IOException("response ended after " + bytes.length + " of " + declared + " bytes");
      }
      return bytes;
    }
  }

  static void closeQuietly(Response r) {
    try {
      r.body().close();
    } catch (IOException | RuntimeException ignored) {
      // nothing to salvage from a body we are discarding
    }
  }

  static boolean isRedirect(int s) {
    return s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
  }

  /** Same scheme, host and port (a default port counts as given). */
  static boolean sameOrigin(URI a, URI b) {
    return originOf(a).equals(originOf(b));
  }

  /** {@code scheme://host:port}, lower-cased, with the scheme's default port made explicit. */
  static String originOf(URI u) {
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    int port = u.getPort();
    if (port < 0) {
      port = scheme.equals("https") ? 443 : scheme.equals("http") ? 80 : -1;
    }
    String host = u.getHost() == null ? String.valueOf(u.getAuthority()) : u.getHost().toLowerCase(Locale.ROOT);
    return scheme + "://" + host + ":" + port;
  }

  static URI appendQuery(URI uri, String query) {
    if (query.isEmpty()) {
      return uri;
    }
    String s = uri.toString();
    return URI.create(s + (uri.getRawQuery() == null ? "?" : "&") + query);
  }

  /** Closes the idle connections. Streams still open may be read to their end. */
  @Override
  public void close() {
    http.close();
  }

  /**
   * Every read of every response body must return data within the timeout and before the deadline, else
   * it fails with an {@link HttpTimeoutException}. Callers retry (or, for blobs, resume) it as any other
   * timeout.
   */
  private final class BodyReads implements ReadGuard {
    @Override
    public Duration nextReadLimit() {
      return deadline.cap(timeout);
    }

    @Override
    public HttpTimeoutException timedOut(Duration limit) {
      return new HttpTimeoutException(limit.compareTo(timeout) < 0 ? "the deadline passed while reading the response"
          : "no data received for " + timeout.toMillis() + " ms");
    }
  }
}
