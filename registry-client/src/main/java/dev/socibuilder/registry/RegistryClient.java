package dev.socibuilder.registry;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.oci.MediaTypes;
import dev.socibuilder.oci.StoredManifest;
import dev.socibuilder.registry.http.Request;
import dev.socibuilder.registry.http.Response;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

/**
 * A client for the OCI distribution API (and Docker Registry HTTP API v2): manifests, blobs,
 * referrers, and the catalog and tag listings. A thin facade: authentication is the {@link Authenticator}'s, sending and retries the
 * {@link Transport}'s, blob transfers {@link BlobDownload}'s and {@link BlobUpload}'s.
 *
 * <p><b>Authentication.</b> Anonymous until the registry answers 401, then {@code Basic} with the
 * {@link CredentialsProvider}'s credentials or a {@code Bearer} token from the challenge's realm
 * ({@code pull} scope for reads, {@code pull,push} for writes).
 *
 * <p><b>Retries.</b> 5xx, 429 (honouring {@code Retry-After}), 408, timeouts and I/O errors are
 * transient and retried per {@link RetryPolicy}; other 4xx are permanent. Blob downloads that drop
 * mid-stream resume with a {@code Range} request instead of starting over.
 *
 * <p><b>Integrity.</b> Manifests fetched by digest and every blob streamed are checked against their
 * digest; a mismatch is a {@link DigestMismatchException}. Pushed manifests and blobs are checked
 * against the registry's {@code Docker-Content-Digest}.
 *
 * <p><b>Limits.</b> Every read of a response body must return data within the timeout; no request,
 * retry wait or read goes past the {@link Deadline} (then {@link DeadlineExceededException}); a single
 * retry wait is at most {@link RetryPolicy#maxWait()} and one operation's waits at most
 * {@link RetryPolicy#retryBudget()}; manifests are read up to 32 MiB, referrers lists up to
 * {@link #MAX_REFERRERS_BYTES}, error bodies up to 64 KiB.
 *
 * <p><b>Credentials</b> go only to the registry's own origin (scheme, host, port), never to redirects or
 * upload locations elsewhere, and never from an https registry to a plain-http token realm. Registry
 * text in exceptions is sanitized ({@link RegistryText}).
 *
 * <p>Thread-safe; one instance should be shared. Credentials and tokens never appear in exceptions.
 */
public final class RegistryClient implements AutoCloseable {
  /** Blobs larger than this are uploaded in PATCH chunks of this size; smaller ones with one PUT. */
  static final int DEFAULT_CHUNK_SIZE = 16 * 1024 * 1024;

  private static final int MAX_MANIFEST_BYTES = 32 * 1024 * 1024;

  /** The default {@link Builder#blobConnections(int)}. */
  public static final int DEFAULT_BLOB_CONNECTIONS = BlobDownload.Parallelism.DEFAULT_CONNECTIONS;
  /** The most {@link Builder#blobConnections(int)}. */
  public static final int MAX_BLOB_CONNECTIONS = BlobDownload.Parallelism.MAX_CONNECTIONS;
  /** The default {@link Builder#parallelDownloadThreshold(long)}: 64 MiB. */
  public static final long DEFAULT_PARALLEL_THRESHOLD = BlobDownload.Parallelism.DEFAULT_THRESHOLD;

  /**
   * The most of a referrers list that is read: 4 MiB, the manifest size limit of Distribution and ECR
   * (some 15,000 entries). A larger answer fails instead of being read.
   */
  public static final int MAX_REFERRERS_BYTES = 4 * 1024 * 1024;

  private final Transport transport;
  private final BlobDownload downloads;
  private final BlobUpload uploads;
  private final NameLister lister;

  /**
   * A client without a deadline and without warnings; see {@link #builder()} for those.
   *
   * @param credentials per-registry credentials; {@code null} for anonymous only
   * @param retry how transient failures are retried
   * @param plainHttp {@code http://} instead of {@code https://} (local test registries)
   * @param timeout connect timeout, the time allowed for a response's headers to arrive, and the
   *     longest any read of a response body may wait for data
   */
  public RegistryClient(CredentialsProvider credentials, RetryPolicy retry, boolean plainHttp, Duration timeout) {
    this(builder().credentials(credentials).retry(retry).plainHttp(plainHttp).timeout(timeout));
  }

  RegistryClient(
      CredentialsProvider credentials, RetryPolicy retry, boolean plainHttp, Duration timeout,
      Transport.Sleeper sleeper, int chunkSize) {
    this(builder().credentials(credentials).retry(retry).plainHttp(plainHttp).timeout(timeout).sleeper(sleeper)
        .chunkSize(chunkSize));
  }

  private RegistryClient(Builder b) {
    this.transport = new Transport(b.credentials, b.retry, b.plainHttp, b.timeout, b.deadline, b.sleeper, b.warnings,
        b.sslContext);
    this.downloads = new BlobDownload(transport,
        new BlobDownload.Parallelism(b.blobConnections, b.parallelThreshold, b.partSize, b.maxRanged > 0 ? b.maxRanged
            : BlobDownload.Parallelism.maxRangedFor(Runtime.getRuntime().maxMemory(), b.blobConnections, b.partSize),
            b.rangedFromStart));
    this.uploads = new BlobUpload(transport, b.chunkSize);
    this.lister = new NameLister(transport);
  }

  /** A builder with the defaults: anonymous, {@link RetryPolicy#defaults()}, https, 60 s timeout, no deadline. */
  public static Builder builder() {
    return new Builder();
  }

  /** Settings of a {@link RegistryClient}. Not thread-safe; each {@link #build()} makes an independent client. */
  public static final class Builder {
    private CredentialsProvider credentials;
    private RetryPolicy retry = RetryPolicy.defaults();
    private boolean plainHttp;
    private Duration timeout = Duration.ofSeconds(60);
    private Deadline deadline = Deadline.none();
    private Consumer<String> warnings = w -> { };
    private Transport.Sleeper sleeper = d -> Thread.sleep(d.toMillis());
    private int chunkSize = DEFAULT_CHUNK_SIZE;
    private SSLContext sslContext;
    private int blobConnections = DEFAULT_BLOB_CONNECTIONS;
    private long parallelThreshold = DEFAULT_PARALLEL_THRESHOLD;
    private int partSize = BlobDownload.Parallelism.DEFAULT_PART_SIZE;
    private int maxRanged;
    private boolean rangedFromStart;

    private Builder() {}

    /** Per-registry credentials; {@code null} for anonymous only. */
    public Builder credentials(CredentialsProvider c) {
      this.credentials = c;
      return this;
    }

    /** How transient failures are retried (attempts, backoff, longest wait, retry budget). */
    public Builder retry(RetryPolicy r) {
      this.retry = Objects.requireNonNull(r, "retry");
      return this;
    }

    /** {@code http://} instead of {@code https://} (local registries). */
    public Builder plainHttp(boolean p) {
      this.plainHttp = p;
      return this;
    }

    /**
     * Connect timeout, the time allowed for a response's headers to arrive, and the longest any read
     * of a response body may block (a stalled body fails as a timeout and is retried or resumed).
     */
    public Builder timeout(Duration t) {
      this.timeout = Objects.requireNonNull(t, "timeout");
      return this;
    }

    /** The run's deadline: no request, retry wait or read goes past it. Default {@link Deadline#none()}. */
    public Builder deadline(Deadline d) {
      this.deadline = Objects.requireNonNull(d, "deadline");
      return this;
    }

    /**
     * Receives warnings, one line each without a trailing newline, at most once per origin: Basic
     * credentials about to be sent over plain HTTP to a host other than this one. Default: dropped.
     */
    public Builder warnings(Consumer<String> w) {
      this.warnings = Objects.requireNonNull(w, "warnings");
      return this;
    }

    /**
     * Connections per large blob download, 1 to {@link #MAX_BLOB_CONNECTIONS} (default
     * {@value #DEFAULT_BLOB_CONNECTIONS}): a blob of known size of at least the
     * {@linkplain #parallelDownloadThreshold threshold} is fetched as 8 MiB ranges over this many connections
     * at once (one connection is often limited to tens or a few hundred MB/s by the storage behind a
     * registry), still delivered and verified in order; at most {@code (n + 1) x 8 MiB} of it is held in
     * memory. Only as many blobs are received this way at once as their parts fit in a quarter of the heap
     * (at least one); the others are read as one stream each. A server that does not answer ranges exactly is read over one
     * connection. 1 reads every blob as one stream.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder blobConnections(int n) {
      if (n < 1 || n > MAX_BLOB_CONNECTIONS) {
        throw new IllegalArgumentException("blob connections must be 1 to " + MAX_BLOB_CONNECTIONS + ", got " + n);
      }
      this.blobConnections = n;
      return this;
    }

    /**
     * The smallest blob fetched over several connections (default 64 MiB); smaller blobs take one.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder parallelDownloadThreshold(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("the parallel download threshold must be positive, got " + bytes);
      }
      this.parallelThreshold = bytes;
      return this;
    }

    /** Bytes per ranged GET of a parallel download (tests: small parts). */
    Builder partSize(int bytes) {
      this.partSize = bytes;
      return this;
    }

    /**
     * Receive blobs at or above the threshold as ranges from their first byte (tests of the ranged path);
     * by default they start over one connection and turn ranged when it is the slower side.
     */
    Builder rangedFromStart(boolean on) {
      this.rangedFromStart = on;
      return this;
    }

    /** How many blobs may be received over several connections at once; 0 (default): from the heap size. */
    Builder maxRangedDownloads(int n) {
      this.maxRanged = n;
      return this;
    }

    Builder sleeper(Transport.Sleeper s) {
      this.sleeper = Objects.requireNonNull(s, "sleeper");
      return this;
    }

    Builder chunkSize(int n) {
      this.chunkSize = n;
      return this;
    }

    /** The TLS context (tests: a registry with its own certificate); null for the JDK default. */
    Builder sslContext(SSLContext c) {
      this.sslContext = c;
      return this;
    }

    public RegistryClient build() {
      return new RegistryClient(this);
    }
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
  public StoredManifest getManifest(
      String registry, String repository, String reference, Collection<String> acceptMediaTypes) {
    Op op = new Op("pull manifest", registry, repository, reference, false);
    String accept = accept(acceptMediaTypes);
    URI uri = transport.uri(registry, repository, "/manifests/" + reference);
    return transport.withRetries(op, () -> {
      Response r =
          transport.exchange(op, () -> Request.newBuilder(uri).GET().header("Accept", accept));
      if (r.statusCode() == 404) {
        Transport.closeQuietly(r);
        return null;
      }
      if (r.statusCode() != 200) {
        throw Transport.failure(op, r);
      }
      byte[] bytes = Transport.readLimited(r, MAX_MANIFEST_BYTES, op);
      Digest digest = Digest.sha256Of(bytes);
      Digest expected = digestOrNull(reference);
      if (expected == null) {
        expected = HeaderValues.contentDigest(r.headers());
      }
      if (expected != null && expected.algorithm().equals("sha256") && !expected.equals(digest)) {
        throw new DigestMismatchException(op.action(), registry, repository, expected, digest, null);
      }
      return new StoredManifest(bytes, HeaderValues.manifestMediaType(r.headers(), bytes), digest);
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
    URI uri = transport.uri(registry, repository, "/manifests/" + reference);
    HeadResult head = transport.withRetries(op, () -> {
      Response r = transport.exchange(op, () ->
          Request.newBuilder(uri).HEAD().header("Accept", accept));
      if (r.statusCode() == 404) {
        Transport.closeQuietly(r);
        return new HeadResult(false, null);
      }
      if (r.statusCode() != 200) {
        throw Transport.failure(op, r);
      }
      Transport.closeQuietly(r);
      Digest digest = HeaderValues.contentDigest(r.headers());
      long size = r.headers().firstValueAsLong("Content-Length").orElse(-1);
      String type = r.headers().firstValue("Content-Type").map(HeaderValues::stripParams).orElse(null);
      if (digest == null || size < 0 || type == null || type.isEmpty()) {
        return new HeadResult(true, null); // the registry did not say enough: GET it
      }
      return new HeadResult(true, new ManifestDescriptor(type, digest, size));
    });
    if (!head.found()) {
      return Optional.empty();
    }
    if (head.descriptor() == null) {
      StoredManifest m = getManifest(registry, repository, reference, acceptMediaTypes);
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
    URI uri = transport.uri(registry, repository, "/manifests/" + reference);
    return transport.withRetries(op, () -> {
      Response r = transport.exchange(op, () -> Request.newBuilder(uri)
          .PUT(bytes)
          .header("Content-Type", mediaType));
      if (r.statusCode() != 201 && r.statusCode() != 200) {
        RegistryException e = Transport.failure(op, r);
        if (e.status() == 400 && "DIGEST_INVALID".equals(e.errorCode())) {
          // We computed the digest of these very bytes, so the registry could not have read them back
          // intact: Distribution answers this when two clients write the same manifest at once
          // (concurrent runs on one image). Writing it again succeeds.
          throw new RegistryException(op.action(), registry, repository, reference, e.status(), e.errorCode(),
              "concurrent write of the same manifest; retrying", true, e);
        }
        throw e;
      }
      Transport.closeQuietly(r);
      Digest acknowledged = HeaderValues.contentDigest(r.headers());
      if (acknowledged != null && acknowledged.algorithm().equals("sha256") && !acknowledged.equals(digest)) {
        throw new DigestMismatchException(op.action(), registry, repository, digest, acknowledged,
            "registry stored the manifest as " + acknowledged + " but its bytes have " + digest);
      }
      return digest;
    });
  }

  /**
   * The OCI referrers API: an image index of the manifests whose {@code subject} is {@code digest}. One
   * request (a {@code Link} to a next page is not followed), at most {@link #MAX_REFERRERS_BYTES} read.
   *
   * @param artifactType filter, or null for all
   * @return the index bytes, or empty when the registry does not support the API (404)
   */
  public Optional<byte[]> referrers(String registry, String repository, Digest digest, String artifactType) {
    Op op = new Op("list referrers of", registry, repository, digest.toString(), false);
    String query = artifactType == null ? "" : "?artifactType=" + URLEncoder.encode(artifactType, StandardCharsets.UTF_8);
    URI uri = transport.uri(registry, repository, "/referrers/" + digest + query);
    return transport.withRetries(op, () -> {
      Response r =
          transport.exchange(op, () -> Request.newBuilder(uri).GET().header("Accept", MediaTypes.OCI_INDEX));
      if (r.statusCode() == 404) {
        Transport.closeQuietly(r);
        return Optional.empty();
      }
      if (r.statusCode() != 200) {
        throw Transport.failure(op, r);
      }
      return Optional.of(Transport.readLimited(r, MAX_REFERRERS_BYTES, op));
    });
  }

  // ---------------------------------------------------------------- blobs

  /** True if the repository has the blob ({@code HEAD} answers 200, or redirects to storage). */
  public boolean blobExists(String registry, String repository, Digest digest) {
    Op op = new Op("check blob", registry, repository, digest.toString(), false);
    URI uri = transport.uri(registry, repository, "/blobs/" + digest);
    return transport.withRetries(op, () -> {
      Response r = transport.exchange(op, () ->
          Request.newBuilder(uri).HEAD());
      Transport.closeQuietly(r);
      int s = r.statusCode();
      if (s == 200 || Transport.isRedirect(s)) {
        return true;
      }
      if (s == 404) {
        return false;
      }
      throw Transport.failure(op, r);
    });
  }

  /** Blob downloads over several connections open now (tests: their slots come back when closed). */
  int rangedDownloadsOpen() {
    return downloads.rangedDownloadsOpen();
  }

  /**
   * Opens a blob for streaming, exactly once through (see {@link BlobDownload}: redirects without
   * credentials, resumption with {@code Range}). At end of stream the size and sha256 are verified: a
   * mismatch throws {@link DigestMismatchException} from {@code read}; failures to (re)connect throw
   * {@link RegistryException} from {@code read}. The caller must close the stream. A blob over 1 MiB is
   * received and verified up to 1 MiB ahead of the reader, on a thread of the client. A blob of at least
   * the {@linkplain Builder#parallelDownloadThreshold parallel download threshold} (of known size) is
   * received as ranges over {@linkplain Builder#blobConnections several connections} at once, still
   * delivered and verified in order; closing the stream stops them all.
   *
   * @param size the expected size, or -1 to take it from the response
   */
  public InputStream openBlob(String registry, String repository, Digest digest, long size) {
    if (!digest.algorithm().equals("sha256")) {
      throw new IllegalArgumentException("only sha256 blobs can be verified: " + digest);
    }
    return downloads.open(new Op("pull blob", registry, repository, digest.toString(), false), digest, size);
  }

  /**
   * Pushes a blob unless the repository already has it ({@code HEAD} first).
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
    uploads.upload(new Op("push blob", registry, repository, digest.toString(), true), digest, content);
  }

  /**
   * Pushes a blob the repository does not have (the caller has checked, e.g. with {@link #blobExists}),
   * mounting it from {@code fromRepository} of the same registry when the registry allows: a
   * cross-repository mount ({@code POST /v2/REPO/blobs/uploads/?mount=DIGEST&from=FROM}) sends no bytes.
   * A registry that declines the mount (202 Accepted: no mount support, or the source lacks the blob)
   * opened an ordinary upload session, which is continued with {@code content}; one that refuses the
   * request outright (a permanent 4xx, e.g. no pull access to {@code fromRepository}) gets an ordinary
   * upload. With bearer tokens the token asks for {@code pull,push} on the repository and {@code pull}
   * on {@code fromRepository}.
   *
   * @return true if the blob was mounted, false if it was uploaded
   * @throws IllegalArgumentException if {@code content} does not have {@code digest}
   */
  public boolean mountOrPushBlob(String registry, String repository, Digest digest, byte[] content,
      String fromRepository) {
    Digest actual = Digest.sha256Of(content);
    if (!actual.equals(digest)) {
      throw new IllegalArgumentException("blob content has digest " + actual + ", not " + digest);
    }
    if (fromRepository == null || fromRepository.equals(repository)) {
      uploads.upload(new Op("push blob", registry, repository, digest.toString(), true), digest, content);
      return false;
    }
    try {
      return uploads.mountOrUpload(
          new Op("push blob", registry, repository, digest.toString(), true, fromRepository), digest, content);
    } catch (DigestMismatchException e) {
      throw e;
    } catch (RegistryException e) {
      if (e.isTransient()) {
        throw e;
      }
      // The mount is only a shortcut: an ordinary upload needs no access to the other repository.
      uploads.upload(new Op("push blob", registry, repository, digest.toString(), true), digest, content);
      return false;
    }
  }

  // ---------------------------------------------------------------- listings

  /**
   * The registry's repositories ({@code GET /v2/_catalog}), every page, in the registry's order.
   *
   * @throws CatalogUnsupportedException if the registry does not list its repositories to this client
   * @throws RegistryException if a page fails, or the listing exceeds {@code listing}'s bounds
   */
  public List<String> listRepositories(String registry, Listing listing) {
    return lister.repositories(registry, listing);
  }

  /**
   * A repository's tags ({@code GET /v2/<name>/tags/list}), every page, in the registry's order.
   *
   * @throws RegistryException if the repository is unknown (404 {@code NAME_UNKNOWN}), a page fails, or
   *     the listing exceeds {@code listing}'s bounds
   */
  public List<String> listTags(String registry, String repository, Listing listing) {
    return lister.tags(registry, repository, listing);
  }

  // ---------------------------------------------------------------- helpers

  private static String accept(Collection<String> types) {
    return String.join(", ", types == null || types.isEmpty() ? MediaTypes.ALL_MANIFESTS : types);
  }

  private static Digest digestOrNull(String reference) {
    if (reference.indexOf(':') < 0) {
      return null;
    }
    return Digest.parse(reference);
  }

  /** Closes the client's idle connections and stops its threads. Blobs still being read fail. */
  @Override
  public void close() {
    downloads.close();
    transport.close();
  }
}
