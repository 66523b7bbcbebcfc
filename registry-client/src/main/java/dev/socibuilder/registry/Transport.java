package dev.socibuilder.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Sends the registry client's requests over {@link java.net.http.HttpClient} (HTTP/1.1): answers
 * authentication challenges through the {@link Authenticator}, retries transient failures per the
 * {@link RetryPolicy}, turns unexpected responses into {@link RegistryException}s with the registry's
 * own error code and message, and watches streamed bodies for stalls.
 *
 * <p>Transient: 5xx, 429 (honouring {@code Retry-After}), 408, timeouts and I/O errors; other 4xx are
 * permanent.
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

  private final RetryPolicy retry;
  private final boolean plainHttp;
  private final Duration timeout;
  private final Sleeper sleeper;
  private final ExecutorService executor;
  private final ScheduledThreadPoolExecutor watchdog;
  private final HttpClient http;
  private final Authenticator auth;

  Transport(CredentialsProvider credentials, RetryPolicy retry, boolean plainHttp, Duration timeout, Sleeper sleeper) {
    this.retry = Objects.requireNonNull(retry, "retry");
    this.plainHttp = plainHttp;
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "registry-http");
      t.setDaemon(true);
      return t;
    });
    // java.net.http has no read timeout for a streamed body: a stalled download is detected by
    // this watchdog, which closes the body so that the blocked read returns and the stream resumes.
    this.watchdog = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "registry-read-watchdog");
      t.setDaemon(true);
      return t;
    });
    watchdog.setRemoveOnCancelPolicy(true);
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        // Redirects are followed by hand: a blob redirect to pre-signed storage must not carry
        // the registry's Authorization header, and the JDK would copy it.
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(timeout)
        .executor(executor)
        .build();
    this.auth = new Authenticator(
        credentials != null ? credentials : CredentialsProvider.anonymous(), this::send, timeout);
  }

  /** {@code http(s)://registry/v2/repository + path}. */
  URI uri(String registry, String repository, String path) {
    return URI.create((plainHttp ? "http://" : "https://") + registry + "/v2/" + repository + path);
  }

  /**
   * Sends a request with whatever authorization the registry is known to want, and on a 401 answers
   * the challenge once and re-sends. The request is rebuilt for the re-send (bodies are byte arrays).
   */
  HttpResponse<InputStream> exchange(Op op, Supplier<HttpRequest.Builder> request)
      throws IOException, InterruptedException {
    String authorization = auth.knownAuthorization(op);
    HttpResponse<InputStream> r = send(request.get(), authorization);
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

  /** Sends a request with {@code authorization} (or none), applying the default timeout. */
  HttpResponse<InputStream> send(HttpRequest.Builder b, String authorization)
      throws IOException, InterruptedException {
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    HttpRequest req = b.build();
    if (req.timeout().isEmpty()) {
      req = HttpRequest.newBuilder(req, (n, v) -> true).timeout(timeout).build();
    }
    return http.send(req, HttpResponse.BodyHandlers.ofInputStream());
  }

  /** Runs {@code attempt}, retrying transient failures with backoff; the last failure is thrown. */
  <T> T withRetries(Op op, Attempt<T> attempt) {
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
      if (!failure.isTransient() || n >= retry.maxAttempts()) {
        throw failure;
      }
      Duration backoff = retry.delayAfter(n, ThreadLocalRandom.current().nextDouble());
      pause(op, failure.retryAfter().orElse(backoff));
    }
  }

  void pause(Op op, Duration d) {
    try {
      sleeper.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException(op.action(), op.registry(), op.repository(), op.reference(), 0, null,
          "interrupted", false, e);
    }
  }

  RetryPolicy retryPolicy() {
    return retry;
  }

  /** Runs {@code action} if not cancelled within the client's timeout (the body read timeout). */
  ScheduledFuture<?> alarm(Runnable action) {
    return watchdog.schedule(action, timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  Duration timeout() {
    return timeout;
  }

  static RegistryException ioFailure(Op op, IOException e) {
    String what;
    if (e instanceof HttpTimeoutException) {
      what = "timed out (" + e.getMessage() + ")";
    } else if (e instanceof ConnectException) {
      what = "cannot connect (" + e.getMessage() + ")";
    } else {
      what = e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : "");
    }
    return new RegistryException(op.action(), op.registry(), op.repository(), op.reference(), 0, null, what, true, e);
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

  static boolean sameOrigin(URI a, URI b) {
    return Objects.equals(a.getScheme(), b.getScheme()) && Objects.equals(a.getHost(), b.getHost())
        && a.getPort() == b.getPort();
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
}
