package dev.socibuilder.registry;

import dev.socibuilder.digest.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Blob uploads: {@code POST /blobs/uploads/}, then a monolithic {@code PUT ?digest=}, or {@code PATCH}
 * chunks for blobs larger than the chunk size followed by an empty {@code PUT ?digest=}. The registry's
 * {@code Docker-Content-Digest} must acknowledge the digest. A failed upload is restarted from the POST.
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
    String digestQuery = "digest=" + URLEncoder.encode(digest.toString(), StandardCharsets.UTF_8);
    transport.withRetries(op, () -> {
      URI location = start(op);
      if (content.length > chunkSize) {
        location = uploadChunks(op, location, content);
        complete(op, Transport.appendQuery(location, digestQuery), new byte[0], digest);
      } else {
        complete(op, Transport.appendQuery(location, digestQuery), content, digest);
      }
      return null;
    });
  }

  private URI start(Op op) throws IOException, InterruptedException {
    URI uri = transport.uri(op.registry(), op.repository(), "/blobs/uploads/");
    HttpResponse<InputStream> r = transport.exchange(op, () -> HttpRequest.newBuilder(uri)
        .POST(HttpRequest.BodyPublishers.noBody()));
    if (r.statusCode() != 202) {
      throw Transport.failure(op, r);
    }
    Transport.closeQuietly(r);
    return Transport.location(op, r, "upload response");
  }

  private URI uploadChunks(Op op, URI location, byte[] content) throws IOException, InterruptedException {
    int offset = 0;
    while (offset < content.length) {
      int len = Math.min(chunkSize, content.length - offset);
      int start = offset;
      URI target = location;
      HttpResponse<InputStream> r = transport.exchange(op, () -> HttpRequest.newBuilder(target)
          .timeout(timeoutFor(len))
          .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(content, start, len))
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
    HttpResponse<InputStream> r = transport.exchange(op, () -> HttpRequest.newBuilder(location)
        .timeout(timeoutFor(body.length))
        .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
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
