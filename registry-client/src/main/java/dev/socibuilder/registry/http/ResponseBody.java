package dev.socibuilder.registry.http;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;

/**
 * A response body read straight from its connection, framed by Content-Length, chunked transfer coding
 * or the end of the connection. Every read waits at most what the {@link ReadGuard} allows. Once the
 * body has been read to its end the connection goes back to the pool (if the server keeps it open);
 * closing the body earlier closes the connection. A read in an interrupted thread fails.
 *
 * <p>Read by one thread at a time; {@link #close()} may also be called from another thread, and then
 * ends a read blocked in the reading thread (which fails) and closes the connection.
 */
final class ResponseBody extends InputStream {
  /** How the end of the body is found. */
  enum Framing { EMPTY, LENGTH, CHUNKED, UNTIL_CLOSE }

  private static final int MAX_CHUNK_LINE = 4096;
  private static final int MAX_TRAILER_BYTES = 64 * 1024;

  private final Http1Client owner;
  private final Framing framing;
  private final ReadGuard guard;
  private final boolean reusable;
  private final long declaredLength;
  /** Null once the body no longer owns it; taken (set to null) only through {@link #takeConnection()}. */
  private volatile Connection conn;
  /** LENGTH: bytes left; CHUNKED: bytes left in the current chunk. */
  private long remaining;
  /** CHUNKED: the CRLF after a chunk's data is still to be read. */
  private boolean chunkEndPending;
  /** Set when a read failed: the connection is gone and every later read fails too. */
  private boolean broken;
  private long delivered;
  private boolean done;
  private volatile boolean closed;

  ResponseBody(Http1Client owner, Connection conn, Framing framing, long length, boolean reusable, ReadGuard guard) {
    this.owner = owner;
    this.conn = conn;
    this.framing = framing;
    this.guard = guard;
    this.reusable = reusable;
    this.declaredLength = length;
    this.remaining = framing == Framing.LENGTH ? length : 0;
    if (framing == Framing.EMPTY || (framing == Framing.LENGTH && length == 0)) {
      finish();
    }
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
    if (closed) {
      throw new IOException("response body closed");
    }
    if (broken) {
      throw new IOException("the response was cut off by an earlier failure");
    }
    if (done) {
      return -1;
    }
    if (len == 0) {
      return 0;
    }
    if (Thread.currentThread().isInterrupted()) {
      abandon();
      throw new InterruptedIOException("interrupted while reading the response");
    }
    switch (framing) {
      case LENGTH: {
        int n = readSome(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
          abandon();
          throw new EOFException("connection closed after " + delivered + " of " + declaredLength + " bytes");
        }
        delivered += n;
        remaining -= n;
        if (remaining == 0) {
          finish();
        }
        return n;
      }
      case CHUNKED: {
        if (remaining == 0 && !nextChunk()) {
          finish();
          return -1;
        }
        int n = readSome(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
          abandon();
          throw new EOFException("connection closed in a chunk after " + delivered + " bytes");
        }
        delivered += n;
        remaining -= n;
        chunkEndPending = remaining == 0;
        return n;
      }
      case UNTIL_CLOSE: {
        int n = readSome(b, off, len);
        if (n < 0) {
          finish();
          return -1;
        }
        delivered += n;
        return n;
      }
      default:
        return -1;
    }
  }

  /** Reads the next chunk's size line (after the previous chunk's CRLF); false for the last chunk. */
  private boolean nextChunk() throws IOException {
    if (chunkEndPending) {
      if (!line(MAX_CHUNK_LINE).isEmpty()) {
        abandon();
        throw new IOException("malformed chunked response: no CRLF after a chunk");
      }
      chunkEndPending = false;
    }
    String sizeLine = line(MAX_CHUNK_LINE);
    int semi = sizeLine.indexOf(';');
    String hex = (semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).strip();
    long size;
    try {
      if (hex.isEmpty() || hex.length() > 15) {
        throw new NumberFormatException();
      }
      size = Long.parseLong(hex, 16);
      if (size < 0) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      abandon();
      throw new IOException("malformed chunked response: chunk size '" + Http1Client.printable(sizeLine) + "'");
    }
    if (size == 0) {
      int trailerBytes = 0;
      for (String t = line(MAX_CHUNK_LINE); !t.isEmpty(); t = line(MAX_CHUNK_LINE)) {
        trailerBytes += t.length();
        if (trailerBytes > MAX_TRAILER_BYTES) {
          abandon();
          throw new IOException("chunked response trailers longer than " + MAX_TRAILER_BYTES + " bytes");
        }
      }
      return false;
    }
    remaining = size;
    return true;
  }

  private String line(int limit) throws IOException {
    Duration limitTime = guard.nextReadLimit();
    if (!Http1Client.positive(limitTime)) {
      abandon();
      throw guard.timedOut(limitTime);
    }
    try {
      return connection().readLine(limit, Http1Client.millis(limitTime));
    } catch (SocketTimeoutException e) {
      abandon();
      throw withCause(guard.timedOut(limitTime), e);
    } catch (IOException e) {
      abandon();
      throw e;
    }
  }

  private int readSome(byte[] b, int off, int len) throws IOException {
    Duration limit = guard.nextReadLimit();
    if (!Http1Client.positive(limit)) {
      abandon();
      throw guard.timedOut(limit);
    }
    try {
      return connection().read(b, off, len, Http1Client.millis(limit));
    } catch (SocketTimeoutException e) {
      abandon();
      throw withCause(guard.timedOut(limit), e);
    } catch (IOException e) {
      abandon();
      throw e;
    }
  }

  private static IOException withCause(IOException e, Throwable cause) {
    if (e.getCause() == null) {
      e.initCause(cause);
    }
    return e;
  }

  /** The connection to read from; fails if the body was closed (possibly by another thread). */
  private Connection connection() throws IOException {
    Connection c = conn;
    if (c == null) {
      throw new IOException("response body closed");
    }
    return c;
  }

  /** The connection, which the body no longer owns; null if it was already taken. */
  private synchronized Connection takeConnection() {
    Connection c = conn;
    conn = null;
    return c;
  }

  /** The body is complete: its connection may serve another request. */
  private void finish() {
    done = true;
    Connection c = takeConnection();
    if (c != null) {
      if (reusable && !c.hasBuffered()) {
        owner.release(c);
      } else {
        c.close();
      }
    }
  }

  /** The body will not be read to its end: its connection cannot be reused. */
  private void abandon() {
    broken = true;
    Connection c = takeConnection();
    if (c != null) {
      c.close();
    }
  }

  @Override
  public int available() {
    return 0;
  }

  /**
   * Closes the connection too, unless the body was read to its end (then it is already pooled). May be
   * called from any thread.
   */
  @Override
  public void close() {
    closed = true;
    Connection c = takeConnection();
    if (c != null) {
      c.close();
    }
  }
}
