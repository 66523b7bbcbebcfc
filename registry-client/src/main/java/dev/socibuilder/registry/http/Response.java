package dev.socibuilder.registry.http;

import java.io.InputStream;
import java.net.URI;
import java.util.Objects;

/**
 * An HTTP response whose headers have arrived; its body is read from the connection as the caller
 * reads it (see {@link Http1Client}), and must be closed.
 *
 * @param statusCode the status, 100-999
 * @param headers the response's header fields
 * @param body the body (empty for HEAD, 204 and 304 answers); closing it early closes the connection
 * @param uri the URI that was requested (what a relative {@code Location} is resolved against)
 */
public record Response(int statusCode, Headers headers, InputStream body, URI uri) {
  public Response {
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(uri, "uri");
  }
}
