package dev.socibuilder.ztoc.tar;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Builds small tar streams block by block for tests, with hand-set header fields. */
final class TarBuilder {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  /** One 512-byte header block. Fields are written raw; the checksum is filled in by {@link #add}. */
  static final class Header {
    final byte[] b = new byte[512];
    private boolean signedChecksum;
    private String rawChecksum;

    /** A USTAR header ("ustar\0" + "00") for a regular file of the given name. */
    static Header ustar(String name) {
      return new Header().name(name).typeflag('0').mode(0644).magic("ustar\0", "00");
    }

    /** An old GNU header ("ustar " + " \0"). */
    static Header gnu(String name) {
      return new Header().name(name).typeflag('0').mode(0644).magic("ustar ", " \0");
    }

    /** A V7 header: no magic at all. */
    static Header v7(String name) {
      return new Header().name(name).typeflag('0').mode(0644);
    }

    Header name(String s) {
      return text(0, 100, s);
    }

    Header name(byte[] raw) {
      return raw(0, raw);
    }

    Header linkname(String s) {
      return text(157, 100, s);
    }

    Header typeflag(char c) {
      b[156] = (byte) c;
      return this;
    }

    Header mode(long v) {
      return octal(100, 8, v);
    }

    Header uid(long v) {
      return octal(108, 8, v);
    }

    Header gid(long v) {
      return octal(116, 8, v);
    }

    Header size(long v) {
      return octal(124, 12, v);
    }

    Header mtime(long v) {
      return octal(136, 12, v);
    }

    Header uname(String s) {
      return text(265, 32, s);
    }

    Header gname(String s) {
      return text(297, 32, s);
    }

    Header devmajor(long v) {
      return octal(329, 8, v);
    }

    Header devminor(long v) {
      return octal(337, 8, v);
    }

    Header prefix(String s) {
      return text(345, 155, s);
    }

    Header magic(String magic, String version) {
      text(257, 6, magic);
      return text(263, 2, version);
    }

    /** Standard octal: zero-padded digits then a NUL, filling the field. */
    Header octal(int off, int len, long v) {
      String digits = Long.toOctalString(v);
      String padded = "0".repeat(Math.max(0, len - 1 - digits.length())) + digits;
      return text(off, len, padded);
    }

    /** GNU base-256: bit 7 of the first byte set, big-endian two's complement in the rest. */
    Header base256(int off, int len, long v) {
      for (int i = len - 1; i >= 0; i--) {
        b[off + i] = (byte) v;
        v >>= 8;
      }
      b[off] = (byte) ((b[off] & 0x7f) | 0x80);
      return this;
    }

    Header text(int off, int len, String s) {
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      if (bytes.length > len) {
        throw new IllegalArgumentException("field too long: " + s);
      }
      Arrays.fill(b, off, off + len, (byte) 0);
      return raw(off, bytes);
    }

    Header raw(int off, byte[] bytes) {
      System.arraycopy(bytes, 0, b, off, bytes.length);
      return this;
    }

    /** Writes the checksum as the signed byte sum (some old tars did) instead of the unsigned one. */
    Header signedChecksum() {
      signedChecksum = true;
      return this;
    }

    /** Writes this exact text into the checksum field instead of a computed value. */
    Header rawChecksum(String field) {
      rawChecksum = field;
      return this;
    }

    long unsignedSum() {
      long sum = 0;
      for (int i = 0; i < 512; i++) {
        sum += (i >= 148 && i < 156) ? ' ' : (b[i] & 0xff);
      }
      return sum;
    }

    long signedSum() {
      long sum = 0;
      for (int i = 0; i < 512; i++) {
        sum += (i >= 148 && i < 156) ? ' ' : b[i];
      }
      return sum;
    }

    byte[] block() {
      byte[] copy = b.clone();
      String field = rawChecksum;
      if (field == null) {
        long sum = signedChecksum ? signedSum() : unsignedSum();
        field = String.format("%06o", sum) + "\0 ";
      }
      byte[] f = field.getBytes(StandardCharsets.ISO_8859_1);
      Arrays.fill(copy, 148, 156, (byte) 0);
      System.arraycopy(f, 0, copy, 148, f.length);
      return copy;
    }
  }

  TarBuilder add(Header h) {
    out.writeBytes(h.block());
    return this;
  }

  /** Data bytes followed by zero padding to the next 512-byte boundary. */
  TarBuilder data(byte[] data) {
    out.writeBytes(data);
    out.writeBytes(new byte[(512 - data.length % 512) % 512]);
    return this;
  }

  TarBuilder data(String text) {
    return data(text.getBytes(StandardCharsets.UTF_8));
  }

  /** A regular file: header plus padded data. */
  TarBuilder file(String name, String content) {
    byte[] data = content.getBytes(StandardCharsets.UTF_8);
    return add(Header.ustar(name).size(data.length)).data(data);
  }

  /** A PAX 'x' header whose data is exactly {@code records} (already in "%d k=v\n" form). */
  TarBuilder paxRaw(byte[] records) {
    add(Header.ustar("PaxHeaders/x").typeflag('x').size(records.length));
    return data(records);
  }

  /** A PAX 'x' header with well-formed records for the given key, value, key, value... */
  TarBuilder pax(String... keyValues) {
    return paxRaw(records(keyValues));
  }

  static byte[] records(String... keyValues) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int i = 0; i < keyValues.length; i += 2) {
      b.writeBytes(record(keyValues[i], keyValues[i + 1]));
    }
    return b.toByteArray();
  }

  /** One PAX record {@code "%d %s=%s\n"} with its self-inclusive length. */
  static byte[] record(String key, String value) {
    int body = 1 + key.getBytes(StandardCharsets.UTF_8).length + 1
        + value.getBytes(StandardCharsets.UTF_8).length + 1; // ' ', '=', '\n'
    int len = body + 1;
    while (String.valueOf(len).length() + body != len) {
      len++;
    }
    return (len + " " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8);
  }

  TarBuilder raw(byte[] bytes) {
    out.writeBytes(bytes);
    return this;
  }

  /** The end-of-archive marker: two zero blocks. */
  TarBuilder end() {
    out.writeBytes(new byte[1024]);
    return this;
  }

  byte[] build() {
    return out.toByteArray();
  }
}
