package dev.socibuilder.registry.http;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 connection: a socket (plain or TLS), its read buffer, and the origin it belongs to. Every
 * read from the socket is given its own timeout ({@link Socket#setSoTimeout}), so a blocked read needs no
 * other thread to end it. Used by one request at a time; {@link #abort()} may be called from any thread.
 */
final class Connection {
  private static final int BUFFER_SIZE = 32 * 1024;

  final String origin;
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final byte[] buf = new byte[BUFFER_SIZE];
  private int pos;
  private int lim;
  private int soTimeout = -1;
  private volatile boolean aborted;
  /** Bytes received on this connection for the current response (to tell a stale connection apart). */
  private long received;
  /** When it went back to the pool, on {@link System#nanoTime()}. */
  long idleSinceNanos;

  Connection(String origin, Socket socket) throws IOException {
    this.origin = origin;
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /** Starts counting the bytes of a new response. */
  void startResponse() {
    received = 0;
  }

  /** Whether any byte of the current response has arrived. */
  boolean receivedAny() {
    return received > 0;
  }

  boolean aborted() {
    return aborted;
  }

  void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
  }

  void flush() throws IOException {
    out.flush();
  }

  /**
   * Reads one line (CRLF or LF ended, without the ending) of at most {@code limit} bytes, each socket
   * read waiting at most {@code timeoutMillis}.
   *
   * @throws EOFException if the connection ends first
   * @throws IOException if the line is longer than {@code limit}
   */
  String readLine(int limit, int timeoutMillis) throws IOException {
    StringBuilder sb = null;
    while (true) {
      if (pos == lim && fill(timeoutMillis) < 0) {
        throw new EOFException("connection closed by the server" + (received == 0 ? " before it answered" : ""));
      }
      int start = pos;
      while (pos < lim && buf[pos] != '\n') {
        pos++;
      }
      int len = pos - start;
      int total = (sb == null ? 0 : sb.length()) + len;
      if (total > limit) {
        throw new IOException("response line or header longer than " + limit + " bytes");
      }
      if (pos < lim) {
        pos++; // the \n
        if (sb == null && len > 0 && buf[start + len - 1] == '\r') {
          return new String(buf, start, len - 1, StandardCharsets.ISO_8859_1);
        }
        if (sb == null) {
          return new String(buf, start, len, StandardCharsets.ISO_8859_1);
        }
        sb.append(new String(buf, start, len, StandardCharsets.ISO_8859_1));
        int n = sb.length();
        return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
      }
      if (sb == null) {
        sb = new StringBuilder();
      }
      sb.append(new String(buf, start, len, StandardCharsets.ISO_8859_1));
    }
  }

  /**
   * Reads up to {@code len} bytes, waiting at most {@code timeoutMillis} for the first: from the buffer
   * if it holds any, else straight from the socket into {@code b} when {@code len} is at least a buffer.
   *
   * @return the number of bytes read, or -1 at the end of the connection
   * @throws SocketTimeoutException if no byte arrived in time
   */
  int read(byte[] b, int off, int len, int timeoutMillis) throws IOException {
    if (pos == lim) {
      if (len >= buf.length) {
        setTimeout(timeoutMillis);
        int n = in.read(b, off, len);
        if (n > 0) {
          received += n;
        }
        return n;
      }
      if (fill(timeoutMillis) < 0) {
        return -1;
      }
    }
    int n = Math.min(len, lim - pos);
    System.arraycopy(buf, pos, b, off, n);
    pos += n;
    return n;
  }

  /** Whether bytes beyond the current response are already buffered (a server that sent too much). */
  boolean hasBuffered() {
    return pos < lim;
  }

  private int fill(int timeoutMillis) throws IOException {
    setTimeout(timeoutMillis);
    int n = in.read(buf, 0, buf.length);
    if (n > 0) {
      pos = 0;
      lim = n;
      received += n;
    }
    return n;
  }

  private void setTimeout(int millis) throws SocketException {
    if (millis != soTimeout) {
      socket.setSoTimeout(millis);
      soTimeout = millis;
    }
  }

  /** Closes the socket (from any thread: a blocked read or write then fails). */
  void abort() {
    aborted = true;
    close();
  }

  void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing to salvage from a connection we drop
    }
  }
}
