package dev.socibuilder.registry;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.registry.http.Request;
import dev.socibuilder.registry.http.Response;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * Blob uploads: {@code POST /blobs/uploads/}, then a monolithic {@code PUT ?digest=}, or {@code PATCH}
 * chunks for blobs larger than the chunk size followed by an empty {@code PUT ?digest=}. The registry's
 * {@code Docker-Content-Digest} must acknowledge the digest. A failed upload is restarted from the POST.
 * A blob another repository of the registry holds can be mounted instead ({@code POST ?mount=&from=}).
 * An upload {@code Location} on another origin than the registry's gets no credentials (the transport's
 * rule); one that is not an http(s) URL fails the upload.
 */
final class BlobUpload {
  private final Transport transport;
  private final int chunkSize;

  BlobUpload(Transport transport, int chunkSize) {
    if (chunkSize < 1) {
      throw new IllegalArgumentException("chunkSize must be positive");
    }
    this.transport = transport;
    this.chunkSize = chunkSize;
  }

  /** Uploads {@code content}, whose digest the caller has checked is {@code digest}. */
  void upload(Op op, Digest digest, byte[] content) {
    transport.withRetries(op, () -> {
      send(op, start(op), digest, content);
      return null;
    });
  }

  /**
   * Asks the registry to mount the blob from {@code op.mountFrom()} of the same registry
   * ({@code POST /blobs/uploads/?mount=DIGEST&from=REPO}): 201 Created means mounted and nothing is
   * sent; 202 Accepted means the registry declined the mount (it does not support mounts, or the source
   * lacks the blob) and opened an ordinary upload session, which is continued with {@code content}.
   *
   * @return true if mounted, false if uploaded
   */
  boolean mountOrUpload(Op op, Digest digest, byte[] content) {
    String mountQuery = "mount=" + URLEncoder.encode(digest.toString(), StandardCharsets.UTF_8)
        + "&from=" + URLEncoder.encode(op.mountFrom(), StandardCharsets.UTF_8);
    return transport.withRetries(op, () -> {
      URI uri = Transport.appendQuery(transport.uri(op.registry(), op.repository(), "/blobs/uploads/"), mountQuery);
      Response r = transport.exchange(op, () -> Request.newBuilder(uri)
          .POST(new byte[0]));
      if (r.statusCode() == 201) {
        Transport.closeQuietly(r);
        Digest acknowledged = HeaderValues.contentDigest(r.headers());
        if (acknowledged != null && !acknowledged.equals(digest)) {
          throw new DigestMismatchException(op.action(), op.registry(), op.repository(), digest, acknowledged,
              "registry mounted the blob as " + acknowledged);
        }
        return true;
      }
      if (r.statusCode() != 202) {
        throw Transport.failure(op, r);
      }
      Transport.closeQuietly(r);
      send(op, Transport.location(op, r, "mount response"), digest, content);
      return false;
    });
  }

  private URI start(Op op) throws IOException, InterruptedException {
    URI uri = transport.uri(op.registry(), op.repository(), "/blobs/uploads/");
    Response r = transport.exchange(op, () -> Request.newBuilder(uri)
        .POST(new byte[0]));
    if (r.statusCode() != 202) {
      throw Transport.failure(op, r);
    }
    Transport.closeQuietly(r);
    return Transport.location(op, r, "upload response");
  }

  /** Sends {@code content} into the upload session at {@code location} and completes it. */
  private void send(Op op, URI location, Digest digest, byte[] content) throws IOException, InterruptedException {
    String digestQuery = "digest=" + URLEncoder.encode(digest.toString(), StandardCharsets.UTF_8);
    if (content.length > chunkSize) {
      URI last = uploadChunks(op, location, content);
      complete(op, Transport.appendQuery(last, digestQuery), new byte[0], digest);
    } else {
      complete(op, Transport.appendQuery(location, digestQuery), content, digest);
    }
  }

  private URI uploadChunks(Op op, URI location, byte[] content) throws IOException, InterruptedException {
    int offset = 0;
    while (offset < content.length) {
      int len = Math.min(chunkSize, content.length - offset);
      int start = offset;
      URI target = location;
      Response r = transport.exchange(op, () -> Request.newBuilder(target)
          .timeout(timeoutFor(len))
          .method("PATCH", Arrays.copyOfRange(content, start, start + len))
          .header("Content-Type", "application/octet-stream")
          // Distribution's (non-RFC) form: inclusive "start-end" without a unit.
          .header("Content-Range", start + "-" + (start + len - 1)));
      if (r.statusCode() != 202) {
        throw Transport.failure(op, r);
      }
      Transport.closeQuietly(r);
      location = Transport.location(op, r, "upload response");
      // The registry's Range says how much it holds; resume from there if it differs from what we sent.
      long received = r.headers().firstValue("Range").map(HeaderValues::rangeEnd).orElse(start + len - 1L) + 1;
      if (received > start + len || received < 0) {
        throw op.failure(202, null,
            "registry reports " + received + " bytes received but only " + (start + len) + " were sent", false);
      }
      offset = (int) received;
    }
    return location;
  }

  private void complete(Op op, URI location, byte[] body, Digest digest) throws IOException, InterruptedException {
    Response r = transport.exchange(op, () -> Request.newBuilder(location)
        .timeout(timeoutFor(body.length))
        .PUT(body)
        .header("Content-Type", "application/octet-stream"));
    if (r.statusCode() != 201 && r.statusCode() != 204) {
      throw Transport.failure(op, r);
    }
    Transport.closeQuietly(r);
    Digest acknowledged = HeaderValues.contentDigest(r.headers());
    if (acknowledged != null && !acknowledged.equals(digest)) {
      throw new DigestMismatchException(op.action(), op.registry(), op.repository(), digest, acknowledged,
          "registry stored the blob as " + acknowledged);
    }
  }

  private Duration timeoutFor(long bytes) {
    // The request timeout covers sending the body too: allow at least 1 MiB/s on top of the base.
    return transport.timeout().plusSeconds(bytes >> 20);
  }
}
