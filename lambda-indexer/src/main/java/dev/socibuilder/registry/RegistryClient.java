package dev.socibuilder.registry;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.json.JsonException;
import dev.socibuilder.json.JsonParser;
import dev.socibuilder.json.JsonValue;
import dev.socibuilder.json.JsonValue.JsonArray;
import dev.socibuilder.json.JsonValue.JsonNumber;
import dev.socibuilder.json.JsonValue.JsonObject;
import dev.socibuilder.json.JsonValue.JsonString;
import dev.socibuilder.oci.MediaTypes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A client for the OCI distribution API (and Docker Registry HTTP API v2) over
 * {@link java.net.http.HttpClient}, HTTP/1.1.
 *
 * <p><b>Authentication.</b> Requests go out anonymously until the registry answers 401. The
 * {@code WWW-Authenticate} challenge is then remembered per registry: {@code Basic} sends the
 * {@link CredentialsProvider}'s credentials on every later request; {@code Bearer} fetches a token
 * from the challenge's realm ({@code GET realm?service=..&scope=repository:REPO:pull[,push]}, with the
 * basic credentials if there are any) and caches it per registry and scope until it expires. Reads
 * ask for {@code pull}, writes for {@code pull,push}.
 *
 * <p><b>Retries.</b> 5xx, 429 (honouring {@code Retry-After}), 408, timeouts and I/O errors are
 * transient and retried per {@link RetryPolicy}; other 4xx are permanent. Blob downloads that drop
 * mid-stream resume with a {@code Range} request instead of starting over.
 *
 * <p><b>Integrity.</b> Manifests fetched by digest and every blob streamed are checked against their
 * digest; a mismatch is a {@link DigestMismatchException}. Pushed manifests and blobs are checked
 * against the registry's {@code Docker-Content-Digest}.
 *
 * <p>Thread-safe; one instance should be shared. Credentials and tokens never appear in exceptions.
 */
public final class RegistryClient implements AutoCloseable {
  /** Blobs larger than this are uploaded in PATCH chunks of this size; smaller ones with one PUT. */
  static final int DEFAULT_CHUNK_SIZE = 16 * 1024 * 1024;

  private static final int MAX_MANIFEST_BYTES = 32 * 1024 * 1024;
  private static final int MAX_ERROR_BYTES = 64 * 1024;
  private static final int MAX_REDIRECTS = 5;
  private static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(60);

  /** Sleeps between retries; injectable so tests can observe delays instead of waiting them out. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  /** What an HTTP exchange is for: names the failure and picks the token scope. */
  record Op(String action, String registry, String repository, String reference, boolean push) {}

  private record Token(String value, long expiresAtNanos) {}

  private final CredentialsProvider credentials;
  private final RetryPolicy retry;
  private final boolean plainHttp;
  private final Duration timeout;
  private final Sleeper sleeper;
  private final int chunkSize;
  private final ExecutorService executor;
  private final ScheduledThreadPoolExecutor watchdog;
  private final HttpClient http;
  private final Map<String, AuthChallenge> challenges = new ConcurrentHashMap<>();
  private final Map<String, Token> tokens = new ConcurrentHashMap<>();

  /**
   * @param credentials per-registry credentials; {@code null} for anonymous only
   * @param retry how transient failures are retried
   * @param plainHttp {@code http://} instead of {@code https://} (local test registries)
   * @param timeout connect timeout, and the time allowed for a response's headers to arrive
   */
  public RegistryClient(CredentialsProvider credentials, RetryPolicy retry, boolean plainHttp, Duration timeout) {
    this(credentials, retry, plainHttp, timeout, d -> Thread.sleep(d.toMillis()), DEFAULT_CHUNK_SIZE);
  }

  RegistryClient(
      CredentialsProvider credentials, RetryPolicy retry, boolean plainHttp, Duration timeout, Sleeper sleeper,
      int chunkSize) {
    this.credentials = credentials != null ? credentials : CredentialsProvider.anonymous();
    this.retry = Objects.requireNonNull(retry, "retry");
    this.plainHttp = plainHttp;
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    if (chunkSize < 1) {
      throw new IllegalArgumentException("chunkSize must be positive");
    }
    this.chunkSize = chunkSize;
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
  }

  // ---------------------------------------------------------------- manifests

  /**
   * Fetches a manifest or index by tag or digest, as the registry serves it. When
   * {@code reference} is a digest the bytes are verified against it; otherwise against the
   * {@code Docker-Content-Digest} header when the registry sends one.
   *
   * @param acceptMediaTypes the {@code Accept} list; empty or null means {@link MediaTypes#ALL_MANIFESTS}
   * @return the manifest, or null if the registry answers 404
   */
  public Manifest getManifest(
      String registry, String repository, String reference, Collection<String> acceptMediaTypes) {
    Op op = new Op("pull manifest", registry, repository, reference, false);
    String accept = accept(acceptMediaTypes);
    URI uri = uri(registry, repository, "/manifests/" + reference);
    return withRetries(op, () -> {
      HttpResponse<InputStream> r = exchange(op, () -> HttpRequest.newBuilder(uri).GET().header("Accept", accept));
      if (r.statusCode() == 404) {
        closeQuietly(r);
        return null;
      }
      if (r.statusCode() != 200) {
        throw failure(op, r);
      }
      byte[] bytes = readLimited(r, MAX_MANIFEST_BYTES, op);
      Digest digest = Digest.sha256Of(bytes);
      Digest expected = digestOrNull(reference);
      if (expected == null) {
        expected = headerDigest(r.headers());
      }
      if (expected != null && expected.algorithm().equals("sha256") && !expected.equals(digest)) {
        throw new DigestMismatchException(op.action(), registry, repository, expected, digest, null);
      }
      return new Manifest(bytes, mediaType(r.headers(), bytes), digest);
    });
  }

  /**
   * The digest, size and media type of a manifest without fetching it (a {@code HEAD}); falls back to
   * a GET if the registry sends no {@code Docker-Content-Digest}.
   *
   * @return empty if the registry answers 404
   */
  public Optional<ManifestDescriptor> headManifest(
      String registry, String repository, String reference, Collection<String> acceptMediaTypes) {
    Op op = new Op("check manifest", registry, repository, reference, false);
    String accept = accept(acceptMediaTypes);
    URI uri = uri(registry, repository, "/manifests/" + reference);
    HeadResult head = withRetries(op, () -> {
      HttpResponse<InputStream> r =
          exchange(op, () -> HttpRequest.newBuilder(uri).method("HEAD", HttpRequest.BodyPublishers.noBody())
              .header("Accept", accept));
      if (r.statusCode() == 404) {
        closeQuietly(r);
        return new HeadResult(false, null);
      }
      if (r.statusCode() != 200) {
        throw failure(op, r);
      }
      closeQuietly(r);
      Digest digest = headerDigest(r.headers());
      long size = r.headers().firstValueAsLong("Content-Length").orElse(-1);
      String type = r.headers().firstValue("Content-Type").map(RegistryClient::stripParams).orElse(null);
      if (digest == null || size < 0 || type == null || type.isEmpty()) {
        return new HeadResult(true, null); // the registry did not say enough: GET it
      }
      return new HeadResult(true, new ManifestDescriptor(type, digest, size));
    });
    if (!head.found()) {
      return Optional.empty();
    }
    if (head.descriptor() == null) {
      Manifest m = getManifest(registry, repository, reference, acceptMediaTypes);
      return m == null ? Optional.empty() : Optional.of(new ManifestDescriptor(m.mediaType(), m.digest(), m.size()));
    }
    return Optional.of(head.descriptor());
  }

  private record HeadResult(boolean found, ManifestDescriptor descriptor) {}

  /**
   * Pushes a manifest under a tag or its digest and checks the registry's
   * {@code Docker-Content-Digest}. Safe to retry: the same bytes always get the same digest.
   *
   * @return sha256 of {@code bytes}
   * @throws IllegalArgumentException if {@code reference} is a digest other than sha256(bytes)
   */
  public Digest putManifest(String registry, String repository, String reference, byte[] bytes, String mediaType) {
    Digest digest = Digest.sha256Of(bytes);
    Digest asDigest = digestOrNull(reference);
    if (asDigest != null && !asDigest.equals(digest)) {
      throw new IllegalArgumentException("manifest bytes have digest " + digest + ", not " + reference);
    }
    Op op = new Op("push manifest", registry, repository, reference, true);
    URI uri = uri(registry, repository, "/manifests/" + reference);
    return withRetries(op, () -> {
      HttpResponse<InputStream> r = exchange(op, () -> HttpRequest.newBuilder(uri)
          .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes))
          .header("Content-Type", mediaType));
      if (r.statusCode() != 201 && r.statusCode() != 200) {
        RegistryException e = failure(op, r);
        if (e.status() == 400 && "DIGEST_INVALID".equals(e.errorCode())) {
          // We computed the digest of these very bytes, so the registry could not have read them back
          // intact: Distribution answers this when two clients write the same manifest at once
          // (concurrent runs on one image). Writing it again succeeds.
          throw new RegistryException(op.action(), registry, repository, reference, e.status(), e.errorCode(),
              "concurrent write of the same manifest; retrying", true, e);
        }
        throw e;
      }
      closeQuietly(r);
      Digest acknowledged = headerDigest(r.headers());
      if (acknowledged != null && acknowledged.algorithm().equals("sha256") && !acknowledged.equals(digest)) {
        throw new DigestMismatchException(op.action(), registry, repository, digest, acknowledged,
            "registry stored the manifest as " + acknowledged + " but its bytes have " + digest);
      }
      return digest;
    });
  }

  /**
   * The OCI referrers API: an image index of the manifests whose {@code subject} is {@code digest}.
   *
   * @param artifactType filter, or null for all
   * @return the index bytes, or empty when the registry does not support the API (404)
   */
  public Optional<byte[]> referrers(String registry, String repository, Digest digest, String artifactType) {
    Op op = new Op("list referrers of", registry, repository, digest.toString(), false);
    String query = artifactType == null ? "" : "?artifactType=" + URLEncoder.encode(artifactType, StandardCharsets.UTF_8);
    URI uri = uri(registry, repository, "/referrers/" + digest + query);
    return withRetries(op, () -> {
      HttpResponse<InputStream> r =
          exchange(op, () -> HttpRequest.newBuilder(uri).GET().header("Accept", MediaTypes.OCI_INDEX));
      if (r.statusCode() == 404) {
        closeQuietly(r);
        return Optional.empty();
      }
      if (r.statusCode() != 200) {
        throw failure(op, r);
      }
      return Optional.of(readLimited(r, MAX_MANIFEST_BYTES, op));
    });
  }

  /** The referrers tag schema's tag for {@code subject} ({@code sha256-<hex>}), used without the API. */
  public static String referrersTag(Digest subject) {
    return subject.algorithm() + "-" + subject.hex();
  }

  // ---------------------------------------------------------------- blobs

  /** True if the repository has the blob ({@code HEAD} answers 200, or redirects to storage). */
  public boolean blobExists(String registry, String repository, Digest digest) {
    Op op = new Op("check blob", registry, repository, digest.toString(), false);
    URI uri = uri(registry, repository, "/blobs/" + digest);
    return withRetries(op, () -> {
      HttpResponse<InputStream> r =
          exchange(op, () -> HttpRequest.newBuilder(uri).method("HEAD", HttpRequest.BodyPublishers.noBody()));
      closeQuietly(r);
      int s = r.statusCode();
      if (s == 200 || isRedirect(s)) {
        return true;
      }
      if (s == 404) {
        return false;
      }
      throw failure(op, r);
    });
  }

  /**
   * Opens a blob for streaming, exactly once through. Redirects (to pre-signed storage) are followed
   * without the registry's credentials. A connection that drops mid-blob is resumed with
   * {@code Range: bytes=N-} (a 200 answer instead of 206 is skipped forward to N). At end of stream
   * the size and sha256 are verified: a mismatch throws {@link DigestMismatchException} from
   * {@code read}; failures to (re)connect throw {@link RegistryException} from {@code read}.
   * The caller must close the stream.
   *
   * @param size the expected size, or -1 to take it from the response
   */
  public InputStream openBlob(String registry, String repository, Digest digest, long size) {
    if (!digest.algorithm().equals("sha256")) {
      throw new IllegalArgumentException("only sha256 blobs can be verified: " + digest);
    }
    Op op = new Op("pull blob", registry, repository, digest.toString(), false);
    BlobInputStream in = new BlobInputStream(this, op, digest, size);
    in.openFirst();
    return in;
  }

  /**
   * Pushes a blob unless the repository already has it ({@code HEAD} first): one
   * {@code POST /blobs/uploads/} then a monolithic {@code PUT ?digest=}, or PATCH chunks for blobs
   * larger than the chunk size. A failed upload is restarted from the POST.
   *
   * @throws IllegalArgumentException if {@code content} does not have {@code digest}
   */
  public void pushBlob(String registry, String repository, Digest digest, byte[] content) {
    Digest actual = Digest.sha256Of(content);
    if (!actual.equals(digest)) {
      throw new IllegalArgumentException("blob content has digest " + actual + ", not " + digest);
    }
    if (blobExists(registry, repository, digest)) {
      return;
    }
    Op op = new Op("push blob", registry, repository, digest.toString(), true);
    withRetries(op, () -> {
      URI location = startUpload(op);
      if (content.length > chunkSize) {
        location = uploadChunks(op, location, content);
        location = appendQuery(location, "digest=" + URLEncoder.encode(digest.toString(), StandardCharsets.UTF_8));
        completeUpload(op, location, new byte[0], digest);
      } else {
        location = appendQuery(location, "digest=" + URLEncoder.encode(digest.toString(), StandardCharsets.UTF_8));
        completeUpload(op, location, content, digest);
      }
      return null;
    });
  }

  private URI startUpload(Op op) throws IOException, InterruptedException {
    URI uri = uri(op.registry(), op.repository(), "/blobs/uploads/");
    HttpResponse<InputStream> r = exchange(op, () -> HttpRequest.newBuilder(uri)
        .POST(HttpRequest.BodyPublishers.noBody()));
    if (r.statusCode() != 202) {
      throw failure(op, r);
    }
    closeQuietly(r);
    return location(op, uri, r);
  }

  private URI uploadChunks(Op op, URI location, byte[] content) throws IOException, InterruptedException {
    int offset = 0;
    while (offset < content.length) {
      int len = Math.min(chunkSize, content.length - offset);
      int start = offset;
      URI target = location;
      HttpResponse<InputStream> r = exchange(op, () -> HttpRequest.newBuilder(target)
          .timeout(uploadTimeout(len))
          .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(content, start, len))
          .header("Content-Type", "application/octet-stream")
          // Distribution's (non-RFC) form: inclusive "start-end" without a unit.
          .header("Content-Range", start + "-" + (start + len - 1)));
      if (r.statusCode() != 202) {
        throw failure(op, r);
      }
      closeQuietly(r);
      location = location(op, target, r);
      // The registry's Range says how much it holds; resume from there if it differs from what we sent.
      long received = r.headers().firstValue("Range").map(RegistryClient::rangeEnd).orElse(start + len - 1L) + 1;
      if (received > start + len || received < 0) {
        throw new RegistryException(op.action(), op.registry(), op.repository(), op.reference(), 202, null,
            "registry reports " + received + " bytes received but only " + (start + len) + " were sent", false, null);
      }
      offset = (int) received;
    }
    return location;
  }

  private void completeUpload(Op op, URI location, byte[] body, Digest digest) throws IOException, InterruptedException {
    HttpResponse<InputStream> r = exchange(op, () -> HttpRequest.newBuilder(location)
        .timeout(uploadTimeout(body.length))
        .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
        .header("Content-Type", "application/octet-stream"));
    if (r.statusCode() != 201 && r.statusCode() != 204) {
      throw failure(op, r);
    }
    closeQuietly(r);
    Digest acknowledged = headerDigest(r.headers());
    if (acknowledged != null && !acknowledged.equals(digest)) {
      throw new DigestMismatchException(op.action(), op.registry(), op.repository(), digest, acknowledged,
          "registry stored the blob as " + acknowledged);
    }
  }

  private Duration uploadTimeout(long bytes) {
    // The request timeout covers sending the body too: allow at least 1 MiB/s on top of the base.
    return timeout.plusSeconds(bytes >> 20);
  }

  /**
   * One GET of the blob from {@code offset}, following redirects, returning a stream positioned at
   * {@code offset}. Used by {@link BlobInputStream} for the first request and every resume.
   *
   * @return the stream and the total blob size if the response told it (else -1)
   */
  BlobResponse fetchBlob(Op op, Digest digest, long offset) throws IOException, InterruptedException {
    URI uri = uri(op.registry(), op.repository(), "/blobs/" + digest);
    HttpResponse<InputStream> r = exchange(op, () -> rangeGet(uri, offset));
    for (int hops = 0; isRedirect(r.statusCode()); hops++) {
      closeQuietly(r);
      String loc = r.headers().firstValue("Location").orElse(null);
      if (loc == null || hops >= MAX_REDIRECTS) {
        throw failure(op, r);
      }
      URI next = r.uri().resolve(loc);
      if (sameOrigin(next, uri)) {
        r = exchange(op, () -> rangeGet(next, offset));
      } else {
        // Pre-signed storage URL: authenticated by its query string; registry credentials stay home.
        r = send(rangeGet(next, offset), null);
      }
    }
    int s = r.statusCode();
    if (s == 206 && offset > 0) {
      String cr = r.headers().firstValue("Content-Range").orElse("");
      long start = contentRangeStart(cr);
      if (start == offset) {
        return new BlobResponse(r.body(), contentRangeTotal(cr));
      }
      if (start != 0) {
        closeQuietly(r);
        throw new RegistryException(op.action(), op.registry(), op.repository(), op.reference(), s, null,
            "asked for bytes " + offset + "- but got Content-Range '" + cr + "'", true, null);
      }
      // A 206 from 0 is as good as a 200: skip below.
    }
    if (s == 200 || s == 206) {
      InputStream body = r.body();
      long total = s == 200 ? r.headers().firstValueAsLong("Content-Length").orElse(-1) : -1;
      if (offset > 0) {
        // The server ignored Range: skip what was already read (and hashed).
        body.skipNBytes(offset);
      }
      return new BlobResponse(body, total);
    }
    throw failure(op, r);
  }

  record BlobResponse(InputStream body, long totalSize) {}

  private HttpRequest.Builder rangeGet(URI uri, long offset) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET();
    if (offset > 0) {
      b.header("Range", "bytes=" + offset + "-");
    }
    return b;
  }

  // ---------------------------------------------------------------- HTTP, auth and retries

  /** A unit of work retried as a whole on transient failures. */
  @FunctionalInterface
  interface Attempt<T> {
    T run() throws IOException, InterruptedException;
  }

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

  /**
   * Sends a request with whatever authorization the registry is known to want, and on a 401 answers
   * the challenge once and re-sends. The request is rebuilt for the re-send (bodies are byte arrays).
   */
  private HttpResponse<InputStream> exchange(Op op, java.util.function.Supplier<HttpRequest.Builder> request)
      throws IOException, InterruptedException {
    String authorization = knownAuthorization(op);
    HttpResponse<InputStream> r = send(request.get(), authorization);
    if (r.statusCode() != 401) {
      return r;
    }
    closeQuietly(r);
    AuthChallenge challenge = AuthChallenge.parse(r.headers().firstValue("WWW-Authenticate").orElse(null));
    if (challenge == null || !(challenge.isBasic() || challenge.isBearer())) {
      throw authFailure(op, r.statusCode(), null, "registry sent no usable WWW-Authenticate challenge");
    }
    challenges.put(op.registry(), challenge);
    String retryAuthorization = answer(op, challenge);
    if (retryAuthorization == null) {
      throw authFailure(op, 401, null,
          "registry requires authentication and no credentials are configured for " + op.registry());
    }
    if (challenge.isBasic() && retryAuthorization.equals(authorization)) {
      throw authFailure(op, 401, null, rejected(op));
    }
    r = send(request.get(), retryAuthorization);
    if (r.statusCode() == 401) {
      ErrorInfo e = readError(r);
      throw authFailure(op, 401, e.code(), rejected(op) + (e.message() != null ? " (" + e.message() + ")" : ""));
    }
    return r;
  }

  private String rejected(Op op) {
    Credentials c = credentials.credentialsFor(op.registry());
    return c == null ? "anonymous access refused" : "registry rejected the credentials of user '" + c.username() + "'";
  }

  private HttpResponse<InputStream> send(HttpRequest.Builder b, String authorization)
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

  /** The Authorization header for a registry whose challenge is already known, or null. */
  private String knownAuthorization(Op op) throws IOException, InterruptedException {
    AuthChallenge c = challenges.get(op.registry());
    if (c == null) {
      return null;
    }
    if (c.isBasic()) {
      return basic(credentials.credentialsFor(op.registry()));
    }
    Token t = tokens.get(tokenKey(op));
    if (t != null && System.nanoTime() - t.expiresAtNanos() < 0) {
      return "Bearer " + t.value();
    }
    return answer(op, c);
  }

  private String answer(Op op, AuthChallenge c) throws IOException, InterruptedException {
    if (c.isBasic()) {
      return basic(credentials.credentialsFor(op.registry()));
    }
    tokens.remove(tokenKey(op));
    Token t = fetchToken(op, c);
    tokens.put(tokenKey(op), t);
    return "Bearer " + t.value();
  }

  private static String basic(Credentials c) {
    if (c == null) {
      return null;
    }
    return "Basic " + Base64.getEncoder()
        .encodeToString((c.username() + ":" + c.password()).getBytes(StandardCharsets.UTF_8));
  }

  private static String scope(Op op) {
    return op.repository() == null ? null : "repository:" + op.repository() + ":" + (op.push() ? "pull,push" : "pull");
  }

  private static String tokenKey(Op op) {
    return op.registry() + " " + scope(op);
  }

  private Token fetchToken(Op op, AuthChallenge c) throws IOException, InterruptedException {
    String realm = c.params().get("realm");
    if (realm == null || realm.isEmpty()) {
      throw authFailure(op, 401, null, "Bearer challenge without a realm");
    }
    StringBuilder q = new StringBuilder();
    String service = c.params().get("service");
    if (service != null) {
      q.append("service=").append(URLEncoder.encode(service, StandardCharsets.UTF_8));
    }
    String scope = scope(op);
    if (scope != null) {
      q.append(q.length() > 0 ? "&" : "").append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
    }
    URI uri;
    try {
      uri = appendQuery(URI.create(realm), q.toString());
    } catch (IllegalArgumentException e) {
      throw authFailure(op, 401, null, "Bearer challenge has an invalid realm");
    }
    Credentials creds = credentials.credentialsFor(op.registry());
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET().timeout(timeout);
    String authorization = basic(creds);
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    int s = r.statusCode();
    if (s != 200) {
      ErrorInfo e = readError(r);
      String who = creds == null ? "anonymous access" : "user '" + creds.username() + "'";
      String detail = "token service " + uri.getScheme() + "://" + uri.getAuthority() + " refused " + who
          + (e.message() != null ? " (" + e.message() + ")" : "");
      boolean transientFailure = s >= 500 || s == 429;
      throw new RegistryException("authenticate for " + op.action(), op.registry(), op.repository(),
          op.reference(), s, e.code(), detail, transientFailure, retryAfter(r.headers()), null);
    }
    byte[] body = readLimited(r, MAX_ERROR_BYTES, op);
    JsonValue json;
    try {
      json = JsonParser.parse(body);
    } catch (JsonException e) {
      throw authFailure(op, s, null, "token service answered with malformed JSON");
    }
    String token = stringMember(json, "token");
    if (token == null || token.isEmpty()) {
      token = stringMember(json, "access_token");
    }
    if (token == null || token.isEmpty()) {
      throw authFailure(op, s, null, "token service answered without a token");
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

  private static RegistryException authFailure(Op op, int status, String code, String detail) {
    return new RegistryException("authenticate for " + op.action(), op.registry(), op.repository(),
        op.reference(), status, code, detail, false, null);
  }

  /** Classifies an unexpected response; reads (and closes) its error body. */
  private RegistryException failure(Op op, HttpResponse<InputStream> r) {
    int s = r.statusCode();
    ErrorInfo e = readError(r);
    boolean transientFailure = s >= 500 || s == 429 || s == 408;
    String detail = e.message();
    if (isRedirect(s)) {
      detail = "unexpected redirect" + (detail != null ? " - " + detail : "");
    }
    return new RegistryException(op.action(), op.registry(), op.repository(), op.reference(), s, e.code(),
        detail, transientFailure, transientFailure ? retryAfter(r.headers()) : null, null);
  }

  record ErrorInfo(String code, String message) {}

  /**
   * The first of the OCI error body's {@code errors[]} ({@code code}, {@code message}). Non-JSON
   * bodies are ignored rather than quoted: they could be anything, and messages must stay clean.
   */
  private static ErrorInfo readError(HttpResponse<InputStream> r) {
    byte[] body;
    try (InputStream in = r.body()) {
      body = in.readNBytes(MAX_ERROR_BYTES);
    } catch (IOException e) {
      return new ErrorInfo(null, null);
    }
    try {
      JsonValue json = JsonParser.parse(body);
      if (json instanceof JsonObject o && o.get("errors") instanceof JsonArray array
          && !array.elements().isEmpty()) {
        List<JsonValue> errors = array.elements();
        String code = stringMember(errors.get(0), "code");
        String message = stringMember(errors.get(0), "message");
        if (errors.size() > 1) {
          message = (message == null ? "" : message) + " (and " + (errors.size() - 1) + " more errors)";
        }
        return new ErrorInfo(code, message);
      }
      // Token services answer OAuth2-style {"error": ..., "error_description": ...}.
      String oauth = stringMember(json, "error");
      if (oauth != null) {
        return new ErrorInfo(oauth, stringMember(json, "error_description"));
      }
    } catch (JsonException notJson) {
      // fall through
    }
    return new ErrorInfo(null, null);
  }

  /** {@code Retry-After} as delay-seconds or an HTTP date, capped at 10 minutes. */
  static Duration retryAfter(HttpHeaders headers) {
    String v = headers.firstValue("Retry-After").orElse(null);
    if (v == null) {
      return null;
    }
    Duration d;
    try {
      d = Duration.ofSeconds(Long.parseLong(v.trim()));
    } catch (NumberFormatException e) {
      try {
        d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(v.trim(), DateTimeFormatter.RFC_1123_DATE_TIME));
      } catch (RuntimeException e2) {
        return null;
      }
    }
    if (d.isNegative()) {
      return Duration.ZERO;
    }
    return d.compareTo(Duration.ofMinutes(10)) > 0 ? Duration.ofMinutes(10) : d;
  }

  private byte[] readLimited(HttpResponse<InputStream> r, int limit, Op op) throws IOException {
    try (InputStream in = r.body()) {
      byte[] bytes = in.readNBytes(limit + 1);
      if (bytes.length > limit) {
        throw new RegistryException(op.action(), op.registry(), op.repository(), op.reference(), r.statusCode(),
            null, "response larger than " + limit + " bytes", false, null);
      }
      long declared = r.headers().firstValueAsLong("Content-Length").orElse(-1);
      if (declared >= 0 && declared != bytes.length) {
        throw new IOException("response ended after " + bytes.length + " of " + declared + " bytes");
      }
      return bytes;
    }
  }

  private static void closeQuietly(HttpResponse<InputStream> r) {
    try {
      r.body().close();
    } catch (IOException | RuntimeException ignored) {
      // nothing to salvage from a body we are discarding
    }
  }

  // ---------------------------------------------------------------- small helpers

  private URI uri(String registry, String repository, String path) {
    return URI.create((plainHttp ? "http://" : "https://") + registry + "/v2/" + repository + path);
  }

  private static URI location(Op op, URI base, HttpResponse<InputStream> r) {
    String loc = r.headers().firstValue("Location").orElse(null);
    if (loc == null || loc.isEmpty()) {
      throw new RegistryException(op.action(), op.registry(), op.repository(), op.reference(), r.statusCode(),
          null, "upload response has no Location", true, null);
    }
    return base.resolve(loc);
  }

  static URI appendQuery(URI uri, String query) {
    if (query.isEmpty()) {
      return uri;
    }
    String s = uri.toString();
    return URI.create(s + (uri.getRawQuery() == null ? "?" : "&") + query);
  }

  private static boolean isRedirect(int s) {
    return s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
  }

  private static boolean sameOrigin(URI a, URI b) {
    return Objects.equals(a.getScheme(), b.getScheme()) && Objects.equals(a.getHost(), b.getHost())
        && a.getPort() == b.getPort();
  }

  private static String accept(Collection<String> types) {
    return String.join(", ", types == null || types.isEmpty() ? MediaTypes.ALL_MANIFESTS : types);
  }

  private static Digest digestOrNull(String reference) {
    if (reference.indexOf(':') < 0) {
      return null;
    }
    return Digest.parse(reference);
  }

  private static Digest headerDigest(HttpHeaders h) {
    String v = h.firstValue("Docker-Content-Digest").orElse(null);
    if (v == null || v.isBlank()) {
      return null;
    }
    try {
      return Digest.parse(v.trim());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String stripParams(String contentType) {
    int semi = contentType.indexOf(';');
    return (semi >= 0 ? contentType.substring(0, semi) : contentType).trim();
  }

  private static String mediaType(HttpHeaders h, byte[] bytes) {
    String ct = h.firstValue("Content-Type").map(RegistryClient::stripParams).orElse("");
    if (!ct.isEmpty() && !ct.equals("application/json") && !ct.equals("text/plain")
        && !ct.equals("application/octet-stream")) {
      return ct;
    }
    try {
      String own = stringMember(JsonParser.parse(bytes), "mediaType");
      if (own != null && !own.isEmpty()) {
        return own;
      }
    } catch (JsonException notJson) {
      // keep the header's type
    }
    return ct.isEmpty() ? "application/json" : ct;
  }
  /** The string member {@code key} of {@code v} if v is an object, else null. */
  static String stringMember(JsonValue v, String key) {
    return v instanceof JsonObject o && o.get(key) instanceof JsonString str ? str.value() : null;
  }


  /** {@code "0-1023"} or {@code "bytes=0-1023"} → 1023; -1 if unparseable. */
  static long rangeEnd(String range) {
    String r = range.trim();
    if (r.startsWith("bytes=")) {
      r = r.substring(6);
    }
    int dash = r.indexOf('-');
    try {
      return Long.parseLong(r.substring(dash + 1).trim());
    } catch (RuntimeException e) {
      return -2;
    }
  }

  /** {@code "bytes 100-199/200"} → 100; -1 if unparseable. */
  static long contentRangeStart(String cr) {
    String r = cr.trim();
    if (r.startsWith("bytes ")) {
      r = r.substring(6);
    }
    int dash = r.indexOf('-');
    try {
      return Long.parseLong(r.substring(0, dash).trim());
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /** {@code "bytes 100-199/200"} → 200; -1 if unknown. */
  static long contentRangeTotal(String cr) {
    int slash = cr.indexOf('/');
    try {
      return Long.parseLong(cr.substring(slash + 1).trim());
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /** Stops the client's HTTP threads. Streams still open may fail afterwards. */
  @Override
  public void close() {
    watchdog.shutdownNow();
    executor.shutdownNow();
  }
}
