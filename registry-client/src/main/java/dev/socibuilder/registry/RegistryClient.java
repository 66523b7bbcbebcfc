package dev.socibuilder.registry;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.oci.MediaTypes;
import dev.socibuilder.oci.StoredManifest;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

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
 * <p>Thread-safe; one instance should be shared. Credentials and tokens never appear in exceptions.
 */
public final class RegistryClient implements AutoCloseable {
  /** Blobs larger than this are uploaded in PATCH chunks of this size; smaller ones with one PUT. */
  static final int DEFAULT_CHUNK_SIZE = 16 * 1024 * 1024;

  private static final int MAX_MANIFEST_BYTES = 32 * 1024 * 1024;

  private final Transport transport;
  private final BlobDownload downloads;
  private final BlobUpload uploads;
  private final NameLister lister;

  /**
   * @param credentials per-registry credentials; {@code null} for anonymous only
   * @param retry how transient failures are retried
   * @param plainHttp {@code http://} instead of {@code https://} (local test registries)
   * @param timeout connect timeout, the time allowed for a response's headers to arrive, and the
   *     longest a blob read may wait for data
   */
  public RegistryClient(CredentialsProvider credentials, RetryPolicy retry, boolean plainHttp, Duration timeout) {
    this(credentials, retry, plainHttp, timeout, d -> Thread.sleep(d.toMillis()), DEFAULT_CHUNK_SIZE);
  }

  RegistryClient(
      CredentialsProvider credentials, RetryPolicy retry, boolean plainHttp, Duration timeout,
      Transport.Sleeper sleeper, int chunkSize) {
    this.transport = new Transport(credentials, retry, plainHttp, timeout, sleeper);
    this.downloads = new BlobDownload(transport);
    this.uploads = new BlobUpload(transport, chunkSize);
    this.lister = new NameLister(transport);
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
      HttpResponse<InputStream> r =
          transport.exchange(op, () -> HttpRequest.newBuilder(uri).GET().header("Accept", accept));
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
      HttpResponse<InputStream> r = transport.exchange(op, () ->
          HttpRequest.newBuilder(uri).method("HEAD", HttpRequest.BodyPublishers.noBody()).header("Accept", accept));
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
      HttpResponse<InputStream> r = transport.exchange(op, () -> HttpRequest.newBuilder(uri)
          .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes))
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
   * The OCI referrers API: an image index of the manifests whose {@code subject} is {@code digest}.
   *
   * @param artifactType filter, or null for all
   * @return the index bytes, or empty when the registry does not support the API (404)
   */
  public Optional<byte[]> referrers(String registry, String repository, Digest digest, String artifactType) {
    Op op = new Op("list referrers of", registry, repository, digest.toString(), false);
    String query = artifactType == null ? "" : "?artifactType=" + URLEncoder.encode(artifactType, StandardCharsets.UTF_8);
    URI uri = transport.uri(registry, repository, "/referrers/" + digest + query);
    return transport.withRetries(op, () -> {
      HttpResponse<InputStream> r =
          transport.exchange(op, () -> HttpRequest.newBuilder(uri).GET().header("Accept", MediaTypes.OCI_INDEX));
      if (r.statusCode() == 404) {
        Transport.closeQuietly(r);
        return Optional.empty();
      }
      if (r.statusCode() != 200) {
        throw Transport.failure(op, r);
      }
      return Optional.of(Transport.readLimited(r, MAX_MANIFEST_BYTES, op));
    });
  }

  // ---------------------------------------------------------------- blobs

  /** True if the repository has the blob ({@code HEAD} answers 200, or redirects to storage). */
  public boolean blobExists(String registry, String repository, Digest digest) {
    Op op = new Op("check blob", registry, repository, digest.toString(), false);
    URI uri = transport.uri(registry, repository, "/blobs/" + digest);
    return transport.withRetries(op, () -> {
      HttpResponse<InputStream> r = transport.exchange(op, () ->
          HttpRequest.newBuilder(uri).method("HEAD", HttpRequest.BodyPublishers.noBody()));
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

  /**
   * Opens a blob for streaming, exactly once through (see {@link BlobDownload}: redirects without
   * credentials, resumption with {@code Range}). At end of stream the size and sha256 are verified: a
   * mismatch throws {@link DigestMismatchException} from {@code read}; failures to (re)connect throw
   * {@link RegistryException} from {@code read}. The caller must close the stream.
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

  /** Stops the client's HTTP threads. Streams still open may fail afterwards. */
  @Override
  public void close() {
    transport.close();
  }
}
