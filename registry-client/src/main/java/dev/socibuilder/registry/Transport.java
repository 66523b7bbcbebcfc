package dev.socibuilder.registry;

import dev.socibuilder.ztoc.BuildInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * Sends the registry client's requests over {@link java.net.http.HttpClient} (HTTP/1.1): answers
 * authentication challenges through the {@link Authenticator}, retries transient failures per the
 * {@link RetryPolicy}, turns unexpected responses into {@link RegistryException}s with the registry's
 * own error code and message, and guards every response body it hands out against stalls.
 *
 * <p>Transient: 5xx, 429 (honouring {@code Retry-After}), 408, timeouts and I/O errors; other 4xx are
 * permanent.
 *
 * <p><b>Limits.</b> Every request's headers must arrive within the timeout, and every read of every
 * response body (manifests, tokens, referrers, error and upload bodies, blobs) must return data within
 * it, else it fails as a timeout. Nothing goes past the {@link Deadline}: requests are sent with the
 * shorter of the timeout and the time left, a read blocked at the deadline fails, and a retry wait that
 * would end after it is not started.
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

  /** The waits of one operation so far, against {@link RetryPolicy#retryBudget()}. */
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
  private final Set<String> warnedOrigins = ConcurrentHashMap.newKeySet();
  private final ExecutorService executor;
  private final ScheduledThreadPoolExecutor watchdog;
  private final HttpClient http;
  private final Authenticator auth;

  /**
   * @param credentials per-registry credentials, or null for anonymous
   * @param timeout connect timeout, time for a response's headers, and the longest a body read may block
   * @param deadline the run's deadline ({@link Deadline#none()} for none)
   * @param warnings receives one line per warning (Basic credentials over plain HTTP), once per origin
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
    this.executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "registry-http");
      t.setDaemon(true);
      return t;
    });
    // java.net.http has no read timeout for a streamed body: a stalled read is detected by this
    // watchdog, which closes the body so that the blocked read returns (see GuardedBody).
    this.watchdog = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "registry-read-watchdog");
      t.setDaemon(true);
      return t;
    });
    watchdog.setRemoveOnCancelPolicy(true);
    HttpClient.Builder hb = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        // Redirects are followed by hand: credentials must not follow a redirect to another origin,
        // and the JDK would copy the Authorization header.
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(timeout)
        .executor(executor);
    if (sslContext != null) {
      hb.sslContext(sslContext);
    }
    this.http = hb.build();
    this.auth = new Authenticator(
        credentials != null ? credentials : CredentialsProvider.anonymous(), this::send, timeout, plainHttp);
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
  HttpResponse<InputStream> exchange(Op op, Supplier<HttpRequest.Builder> request)
      throws IOException, InterruptedException {
    HttpRequest.Builder first = request.get();
    URI target = first.build().uri();
    URI home = URI.create(origin(op.registry()));
    if (!sameOrigin(target, home)) {
      HttpResponse<InputStream> r = send(first, null);
      if (r.statusCode() == 401) {
        ErrorBody e = readError(r);
        throw op.failure(401, e.code(), originOf(target) + " asks for credentials; they are only sent to the registry's"
            + " own origin " + originOf(home), false);
      }
      return r;
    }
    String authorization = auth.knownAuthorization(op);
    HttpResponse<InputStream> r = send(first, authorization);
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
  HttpResponse<InputStream> send(HttpRequest.Builder b, String authorization)
      throws IOException, InterruptedException {
    b.setHeader("User-Agent", userAgent);
    if (authorization != null) {
      b.setHeader("Authorization", authorization);
    }
    HttpRequest req = b.build();
    Duration wait = deadline.cap(req.timeout().orElse(timeout));
    if (wait.isZero()) {
      throw new HttpTimeoutException("the deadline passed before the request was sent");
    }
    req = HttpRequest.newBuilder(req, (n, v) -> true).timeout(wait).build();
    if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      warnIfClearText(req.uri());
    }
    return http.send(req, info -> HttpResponse.BodySubscribers.mapping(
        HttpResponse.BodySubscribers.ofInputStream(), GuardedBody::new));
  }

  /** Warns (once per origin) that Basic credentials go over plain HTTP to a host that is not this one. */
  void warnIfClearText(URI uri) {
    if (!"http".equalsIgnoreCase(uri.getScheme()) || isLoopback(uri.getHost())) {
      return;
    }
    String origin = originOf(uri);
    if (warnedOrigins.add(origin)) {
      warnings.accept("credentials for " + origin + " are sent over plain HTTP, unencrypted");
    }
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
    if (state.waited.plus(wait).compareTo(retry.retryBudget()) > 0) {
      throw failure.withNote("gave up after " + attempt + " attempt(s): waiting another " + Deadline.format(wait)
          + why + " would exceed the retry budget of " + Deadline.format(retry.retryBudget()));
    }
    if (wait.compareTo(deadline.remaining()) >= 0) {
      throw new DeadlineExceededException(failure.getMessage() + "; not retried: waiting " + Deadline.format(wait)
          + why + " would pass " + deadline, failure);
    }
    state.waited = state.waited.plus(wait);
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
  static URI location(Op op, HttpResponse<?> r, String what) {
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
    } else if (e instanceof ConnectException) {
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
      if (t instanceof UnresolvedAddressException) {
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
  static RegistryException failure(Op op, HttpResponse<InputStream> r) {
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
  static ErrorBody readError(HttpResponse<InputStream> r) {
    byte[] body;
    try (InputStream in = r.body()) {
      body = in.readNBytes(MAX_ERROR_BYTES);
    } catch (IOException e) {
      return ErrorBody.NONE;
    }
    return ErrorBody.parse(body);
  }

  /** The whole body, which must not exceed {@code limit} bytes nor end before its Content-Length; closes it. */
  static byte[] readLimited(HttpResponse<InputStream> r, int limit, Op op) throws IOException {
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

  static void closeQuietly(HttpResponse<InputStream> r) {
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

  /** Stops the HTTP threads. Streams still open may fail afterwards. */
  @Override
  public void close() {
    watchdog.shutdownNow();
    executor.shutdownNow();
  }

  /**
   * A response body whose every read must return within the timeout and before the deadline: a watchdog
   * closes the underlying stream when one blocks longer, so that the read returns, and the read then
   * fails with an {@link HttpTimeoutException} (whatever the closed stream returned). Callers retry
   * (or, for blobs, resume) it as any other timeout.
   */
  private final class GuardedBody extends InputStream {
    private final InputStream in;
    /** Set by the watchdog when it closed {@link #in}: every later read fails. */
    private volatile boolean stalled;
    private volatile boolean byDeadline;

    GuardedBody(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      if (stalled) {
        throw stallFailure();
      }
      Duration limit = deadline.cap(timeout);
      if (limit.isZero()) {
        byDeadline = true;
        stalled = true;
        closeIn();
        throw stallFailure();
      }
      boolean cappedByDeadline = limit.compareTo(timeout) < 0;
      ScheduledFuture<?> alarm;
      try {
        alarm = watchdog.schedule(() -> {
          byDeadline = cappedByDeadline;
          stalled = true;
          closeIn();
        }, limit.toNanos(), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        throw new IOException("registry client closed", e);
      }
      int n;
      try {
        n = in.read(b, off, len);
      } catch (IOException e) {
        if (stalled) {
          throw stallFailure();
        }
        throw e;
      } finally {
        alarm.cancel(false);
      }
      if (stalled) {
        throw stallFailure(); // what the closed stream returned is not the body
      }
      return n;
    }

    private HttpTimeoutException stallFailure() {
      return new HttpTimeoutException(byDeadline ? "the deadline passed while reading the response"
          : "no data received for " + timeout.toMillis() + " ms");
    }

    private void closeIn() {
      try {
        in.close();
      } catch (IOException | RuntimeException ignored) {
        // the point is to unblock the reader
      }
    }

    @Override
    public int available() throws IOException {
      return stalled ? 0 : in.available();
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
