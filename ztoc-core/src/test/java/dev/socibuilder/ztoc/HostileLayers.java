package dev.socibuilder.ztoc;

import dev.socibuilder.testing.tar.UstarHeader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Generators of hostile layers for tests and benchmarks, written as streams so that none is ever held in
 * memory or stored in the repository: many empty files, PAX extended headers full of xattr records (they
 * compress about 1000:1, and soci stores every record in the zTOC), and a gzip bomb of zeros.
 */
public final class HostileLayers {
  private HostileLayers() {}

  /** Writes a tar stream to the given output; the output is closed by the caller. */
  @FunctionalInterface
  public interface TarWriter {
    void write(OutputStream tar) throws IOException;
  }

  /** A USTAR archive of {@code count} empty regular files {@code f/NNNNNNNN} (one header block each). */
  public static TarWriter emptyFiles(int count) {
    return out -> {
      for (int i = 0; i < count; i++) {
        out.write(header(String.format("f/%08d", i), 0, '0'));
      }
      out.write(new byte[1024]);
    };
  }

  /**
   * A PAX archive of empty files, each preceded by an {@code 'x'} header of about {@code paxBytesPerFile}
   * bytes of {@code SCHILY.xattr.user.*} records (at most Go's 1 MiB), until about {@code totalPaxBytes}.
   */
  public static TarWriter paxXattrs(int paxBytesPerFile, long totalPaxBytes) {
    return out -> {
      byte[] value = new byte[4000];
      java.util.Arrays.fill(value, (byte) 'a');
      long written = 0;
      for (int file = 0; written < totalPaxBytes; file++) {
        StringBuilder pax = new StringBuilder(paxBytesPerFile + 8192);
        for (int r = 0; pax.length() < paxBytesPerFile - 8192; r++) {
          String body = " SCHILY.xattr.user.k" + r + "=" + new String(value, StandardCharsets.US_ASCII) + "\n";
          int len = body.length() + 1;
          while (Integer.toString(len).length() + body.length() != len) {
            len = Integer.toString(len).length() + body.length();
          }
          pax.append(len).append(body);
        }
        byte[] data = pax.toString().getBytes(StandardCharsets.US_ASCII);
        out.write(header("PaxHeaders/" + file, data.length, 'x'));
        out.write(data);
        out.write(new byte[(512 - data.length % 512) % 512]);
        out.write(header(String.format("f/%08d", file), 0, '0'));
        written += data.length;
      }
      out.write(new byte[1024]);
    };
  }

  /**
   * Not a tar at all: {@code bytes} zero bytes (a tar scanner sees an empty archive at once), flushed
   * every {@code blockBytes}: through {@link #gzip} each flush ends a deflate block, so a checkpoint can
   * be taken there (zlib alone makes blocks of about 4 MiB of zeros).
   */
  public static TarWriter zeros(long bytes, long blockBytes) {
    return out -> {
      byte[] zero = new byte[1 << 16];
      long sinceFlush = 0;
      for (long left = bytes; left > 0; ) {
        int n = (int) Math.min(Math.min(zero.length, left), blockBytes - sinceFlush);
        out.write(zero, 0, n);
        left -= n;
        sinceFlush += n;
        if (sinceFlush == blockBytes) {
          out.flush();
          sinceFlush = 0;
        }
      }
    };
  }

  /** {@link #zeros(long, long)} in zlib's own blocks. */
  public static TarWriter zeros(long bytes) {
    return zeros(bytes, Long.MAX_VALUE);
  }

  /** Writes {@code tar} gzip-compressed (level 9, as a bomb would be) to {@code out}; does not close it. */
  public static void gzip(TarWriter tar, OutputStream out) throws IOException {
    gzip(tar, out, Deflater.BEST_COMPRESSION);
  }

  /**
   * Writes {@code tar} gzip-compressed at {@code level} to {@code out}; does not close it. A flush of
   * the stream the tar writer is given ends a deflate block (a sync flush).
   */
  public static void gzip(TarWriter tar, OutputStream out, int level) throws IOException {
    GZIPOutputStream gz =
        new GZIPOutputStream(nonClosing(out), 1 << 16, true) {
          {
            def.setLevel(level);
          }
        };
    tar.write(gz);
    gz.finish();
    gz.flush();
  }

  /**
   * The gzip layer streamed from a producer thread through a pipe: never held in memory. Read it to its
   * end; a failure of the producer shows up as the pipe breaking.
   */
  public static InputStream gzipStream(TarWriter tar, int level) throws IOException {
    PipedInputStream in = new PipedInputStream(1 << 16);
    PipedOutputStream sink = new PipedOutputStream(in);
    Thread producer =
        new Thread(
            () -> {
              try (sink) {
                gzip(tar, sink, level);
              } catch (IOException e) {
                // the reader stopped early (e.g. a limit was hit): nothing more to write
              }
            },
            "hostile-layer");
    producer.setDaemon(true);
    producer.start();
    return in;
  }

  private static OutputStream nonClosing(OutputStream out) {
    return new java.io.FilterOutputStream(out) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        flush();
      }
    };
  }

  /** A USTAR header block. */
  static byte[] header(String name, long size, char type) {
    return UstarHeader.of(name, size, type, 0644, 01750, UstarHeader.DEFAULT_MTIME, "user");
  }
}
