package dev.socibuilder.ztoc.tar;

import dev.socibuilder.layer.LayerDataException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads tar headers from an uncompressed tar stream, skipping file data, with exactly the semantics
 * of Go's {@code archive/tar} {@code Reader.Next()} (Go 1.19 to 1.2x) as soci's zTOC builder sees it
 * through its byte-counting reader (soci-format.md §3).
 *
 * <p>What a Java tar library would "fix" is kept on purpose, because the snapshotter re-parses each
 * header with Go and rejects any difference: names are not cleaned, the USTAR version bytes are
 * ignored, {@code "ustar "} with version {@code "00"} is V7, V7 headers have no uname/gname/devices,
 * an old-GNU header whose atime/ctime hold text is read with a USTAR prefix, PAX {@code size}
 * overrides the header size, PAX GNU sparse files report their expanded size, and file data and
 * padding are skipped lazily on the following call (so a stream cut inside the final padding ends
 * cleanly).
 *
 * <p>Data is skipped with {@link InputStream#skip}; the stream must not skip past its end (as
 * {@code FileInputStream} can). The stream is not closed. Not thread-safe. After a failure every
 * later call throws the same exception again (Go's sticky error).
 */
public final class TarScanner {
  static final int BLOCK = 512;
  /** Go's {@code maxSpecialFileSize}: the largest PAX, {@code L} or {@code K} data accepted. */
  static final int MAX_SPECIAL_FILE_SIZE = 1 << 20;

  static final String INVALID_HEADER = "tar: invalid header";
  static final String UNEXPECTED_EOF = "tar: unexpected EOF";
  static final String PAX_TOO_LARGE = "tar: PAX header too large";
  static final String LONG_NAME_TOO_LARGE = "tar: GNU long name too large";

  // Header formats as Go's getFormat decides them (magic and version together).
  private static final int V7 = 1;
  private static final int USTAR = 2; // Go: FormatUSTAR | FormatPAX
  private static final int GNU = 3;
  private static final int STAR = 4;

  private static final byte[] KEY_PATH = ascii("path");
  private static final byte[] KEY_LINKPATH = ascii("linkpath");
  private static final byte[] KEY_UNAME = ascii("uname");
  private static final byte[] KEY_GNAME = ascii("gname");
  private static final byte[] KEY_UID = ascii("uid");
  private static final byte[] KEY_GID = ascii("gid");
  private static final byte[] KEY_SIZE = ascii("size");
  private static final byte[] KEY_MTIME = ascii("mtime");
  private static final byte[] KEY_ATIME = ascii("atime");
  private static final byte[] KEY_CTIME = ascii("ctime");
  private static final byte[] SPARSE_OFFSET = ascii("GNU.sparse.offset");
  private static final byte[] SPARSE_NUMBYTES = ascii("GNU.sparse.numbytes");
  private static final byte[] SPARSE_MAP = ascii("GNU.sparse.map");
  private static final byte[] SPARSE_NUMBLOCKS = ascii("GNU.sparse.numblocks");
  private static final byte[] SPARSE_NAME = ascii("GNU.sparse.name");
  private static final byte[] SPARSE_MAJOR = ascii("GNU.sparse.major");
  private static final byte[] SPARSE_MINOR = ascii("GNU.sparse.minor");
  private static final byte[] SPARSE_SIZE = ascii("GNU.sparse.size");
  private static final byte[] SPARSE_REALSIZE = ascii("GNU.sparse.realsize");
  private static final byte[] EMPTY = new byte[0];

  private final InputStream in;
  /** The current header block (Go's {@code tr.blk}), reused for every header and scratch reads. */
  private final byte[] blk = new byte[BLOCK];

  private long position;
  /** Unread data bytes of the current entry (Go's {@code tr.curr.physicalRemaining()}). */
  private long remaining;
  /** Padding after the current entry's data (Go's {@code tr.pad}). */
  private int pad;
  private boolean atEnd;
  private LayerDataException failure;
  /** Set by the numeric field parsers instead of throwing, like Go's sticky {@code parser.err}. */
  private boolean numericError;

  /** @param tar an uncompressed tar stream, positioned at its first byte; not closed by this class */
  public TarScanner(InputStream tar) {
    this.in = java.util.Objects.requireNonNull(tar, "tar");
  }

  /** Bytes consumed from the stream so far (soci's {@code PositionTrackerReader} counter). */
  public long position() {
    return position;
  }

  /**
   * Returns the next entry as Go's {@code Next()} returns it, or {@code null} at the end of the
   * archive (Go's {@code io.EOF}: two zero blocks, one zero block then end of stream, a clean end of
   * stream at a header boundary, or an end of stream inside the padding after the last file). After
   * {@code null}, {@link #position()} is soci's {@code uncompressed_archive_size}.
   *
   * @throws LayerDataException on bad data (problem {@code "tar: invalid header"}, {@code "tar:
   *     unexpected EOF"}, {@code "tar: PAX header too large"}, {@code "tar: GNU long name too
   *     large"}, or {@code "unsupported tar entry type 'c'"} for any type soci does not accept, e.g.
   *     {@code 'g'}, {@code 'S'}, {@code '7'}), with the uncompressed offset where it was found
   * @throws IOException when the stream itself fails
   */
  public TarEntry next() throws IOException {
    if (failure != null) {
      throw failure;
    }
    if (atEnd) {
      return null;
    }
    try {
      TarEntry e = readNext();
      if (e == null) {
        atEnd = true;
      }
      return e;
    } catch (LayerDataException e) {
      failure = e;
      throw e;
    }
  }

  private TarEntry readNext() throws IOException {
    TreeMap<byte[], byte[]> pax = null;
    byte[] gnuLongName = EMPTY;
    byte[] gnuLongLink = EMPTY;
    while (true) {
      // Discard the rest of the previous entry; an end of stream is only fatal inside the data.
      if (skip(remaining) < remaining) {
        throw fail(UNEXPECTED_EOF);
      }
      remaining = 0;
      if (skip(pad) < pad) {
        return null;
      }
      pad = 0;

      // readHeader: two zero blocks, or EOF after zero or one of them, end the archive.
      int n = readFull(blk, 0, BLOCK);
      if (n == 0) {
        return null;
      }
      if (n < BLOCK) {
        throw fail(UNEXPECTED_EOF);
      }
      if (isZeroBlock()) {
        n = readFull(blk, 0, BLOCK);
        if (n == 0) {
          return null;
        }
        if (n < BLOCK) {
          throw fail(UNEXPECTED_EOF);
        }
        if (isZeroBlock()) {
          return null;
        }
        throw fail(INVALID_HEADER);
      }
      int format = format();
      if (format == 0) {
        throw fail(INVALID_HEADER);
      }

      numericError = false;
      byte typeflag = blk[156];
      byte[] name = cString(0, 100);
      byte[] linkname = cString(157, 100);
      long size = parseNumeric(124, 12);
      long mode = parseNumeric(100, 8);
      long uid = parseNumeric(108, 8);
      long gid = parseNumeric(116, 8);
      long mtimeSec = parseNumeric(136, 12);
      long mtimeNsec = 0;
      byte[] uname = EMPTY;
      byte[] gname = EMPTY;
      long devMajor = 0;
      long devMinor = 0;
      if (format != V7) {
        uname = cString(265, 32);
        gname = cString(297, 32);
        devMajor = parseNumeric(329, 8);
        devMinor = parseNumeric(337, 8);
        int prefixLen = 0;
        if (format == USTAR) {
          prefixLen = cStringLength(345, 155);
        } else if (format == STAR) {
          prefixLen = cStringLength(345, 131);
          parseNumeric(476, 12); // atime and ctime: only their parse errors matter
          parseNumeric(488, 12);
        } else {
          // GNU: atime/ctime that do not parse mean a pre-Go-1.8 writer that put a USTAR prefix
          // there (golang.org/issues/12594); Go then uses the prefix if it is ASCII.
          boolean saved = numericError;
          numericError = false;
          if (blk[345] != 0) {
            parseNumeric(345, 12);
          }
          if (blk[357] != 0) {
            parseNumeric(357, 12);
          }
          boolean textTimes = numericError;
          numericError = saved;
          if (textTimes) {
            int len = cStringLength(345, 155);
            if (isAscii(345, len)) {
              prefixLen = len;
            }
          }
        }
        if (prefixLen > 0) {
          byte[] joined = new byte[prefixLen + 1 + name.length];
          System.arraycopy(blk, 345, joined, 0, prefixLen);
          joined[prefixLen] = '/';
          System.arraycopy(name, 0, joined, prefixLen + 1, name.length);
          name = joined;
        }
      }
      if (numericError) {
        throw fail(INVALID_HEADER);
      }
      handleRegularFile(size, typeflag);

      switch (typeflag) {
        case 'x', 'g' -> {
          pax = parsePax();
          if (typeflag == 'g') {
            // Go returns the global header as an entry; soci's getType then rejects it.
            throw fail(unsupported(typeflag));
          }
          continue;
        }
        case 'L', 'K' -> {
          byte[] data = readSpecialFile(LONG_NAME_TOO_LARGE);
          byte[] s = Arrays.copyOf(data, cStringLength(data, 0, data.length));
          if (typeflag == 'L') {
            gnuLongName = s;
          } else {
            gnuLongLink = s;
          }
          continue;
        }
        default -> {
          // mergePAX: an empty value keeps the header's value, but the record is still kept.
          if (pax != null) {
            for (Map.Entry<byte[], byte[]> r : pax.entrySet()) {
              byte[] k = r.getKey();
              byte[] v = r.getValue();
              if (v.length == 0) {
                continue;
              }
              if (Arrays.equals(k, KEY_PATH)) {
                name = v;
              } else if (Arrays.equals(k, KEY_LINKPATH)) {
                linkname = v;
              } else if (Arrays.equals(k, KEY_UNAME)) {
                uname = v;
              } else if (Arrays.equals(k, KEY_GNAME)) {
                gname = v;
              } else if (Arrays.equals(k, KEY_UID)) {
                uid = parseGoInt(v);
              } else if (Arrays.equals(k, KEY_GID)) {
                gid = parseGoInt(v);
              } else if (Arrays.equals(k, KEY_SIZE)) {
                size = parseGoInt(v);
              } else if (Arrays.equals(k, KEY_MTIME)) {
                long[] t = parsePaxTime(v);
                mtimeSec = t[0];
                mtimeNsec = t[1];
              } else if (Arrays.equals(k, KEY_ATIME) || Arrays.equals(k, KEY_CTIME)) {
                parsePaxTime(v); // not recorded, but Go fails on a malformed value
              }
            }
          }
          if (gnuLongName.length > 0) {
            name = gnuLongName;
          }
          if (gnuLongLink.length > 0) {
            linkname = gnuLongLink;
          }
          if (typeflag == 0) { // TypeRegA: legacy archives mark directories by a trailing slash
            typeflag = name.length > 0 && name[name.length - 1] == '/' ? (byte) '5' : (byte) '0';
          }
          handleRegularFile(size, typeflag);
          if (typeflag == 'S') {
            readOldGnuSparseMap(format);
            throw fail(unsupported(typeflag));
          }
          if (pax != null) {
            SparseResult sparse = handlePaxSparse(pax, name, size, typeflag);
            if (sparse != null) {
              name = sparse.name;
              size = sparse.size;
            }
          }
          String type = typeName(typeflag);
          if (type == null) {
            throw fail(unsupported(typeflag));
          }
          // time.Unix normalisation of a negative PAX fraction.
          if (mtimeNsec < 0) {
            mtimeNsec += 1_000_000_000L;
            mtimeSec--;
          }
          return new TarEntry(
              name, type, position, size, linkname, mode, uid, gid, uname, gname, mtimeSec,
              (int) mtimeNsec, devMajor, devMinor, records(pax));
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Header blocks

  /**
   * Go's {@code block.getFormat}: 0 when the checksum (octal, compared with both the unsigned and
   * the signed byte sum) does not match, else the format from magic, version and STAR trailer.
   */
  private int format() {
    boolean saved = numericError;
    numericError = false;
    long value = parseOctal(148, 8);
    boolean bad = numericError;
    numericError = saved;
    long unsigned = 0;
    long signed = 0;
    for (int i = 0; i < BLOCK; i++) {
      int c = (i >= 148 && i < 156) ? ' ' : blk[i];
      unsigned += c & 0xff;
      signed += (byte) c;
    }
    if (bad || (value != unsigned && value != signed)) {
      return 0;
    }
    boolean magicUstar = blk[257] == 'u' && blk[258] == 's' && blk[259] == 't'
        && blk[260] == 'a' && blk[261] == 'r';
    if (magicUstar && blk[262] == 0) {
      if (blk[508] == 't' && blk[509] == 'a' && blk[510] == 'r' && blk[511] == 0) {
        return STAR;
      }
      return USTAR; // the version bytes are not looked at
    }
    if (magicUstar && blk[262] == ' ' && blk[263] == ' ' && blk[264] == 0) {
      return GNU;
    }
    return V7; // includes "ustar " with any other version, e.g. "00"
  }

  private boolean isZeroBlock() {
    for (int i = 0; i < BLOCK; i++) {
      if (blk[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /** Go's {@code handleRegularFile}: header-only types have no data whatever their size says. */
  private void handleRegularFile(long size, byte typeflag) {
    long nb = isHeaderOnly(typeflag) ? 0 : size;
    if (nb < 0) {
      throw fail(INVALID_HEADER);
    }
    remaining = nb;
    pad = (int) (-nb & (BLOCK - 1));
  }

  private static boolean isHeaderOnly(byte typeflag) {
    return typeflag >= '1' && typeflag <= '6';
  }

  private static String typeName(byte typeflag) {
    return switch (typeflag) {
      case '0' -> "reg";
      case '1' -> "hardlink";
      case '2' -> "symlink";
      case '3' -> "char";
      case '4' -> "block";
      case '5' -> "dir";
      case '6' -> "fifo";
      default -> null;
    };
  }

  /** The bytes of a header field up to its first NUL (Go's {@code parseString}). */
  private byte[] cString(int off, int len) {
    return Arrays.copyOfRange(blk, off, off + cStringLength(off, len));
  }

  private int cStringLength(int off, int len) {
    return cStringLength(blk, off, len);
  }

  private static int cStringLength(byte[] b, int off, int len) {
    int n = 0;
    while (n < len && b[off + n] != 0) {
      n++;
    }
    return n;
  }

  private boolean isAscii(int off, int len) {
    for (int i = off; i < off + len; i++) {
      if (blk[i] < 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Go's {@code parseNumeric}: base-256 two's complement when bit 7 of the first byte is set,
   * otherwise octal. Sets {@link #numericError} on overflow or bad digits.
   */
  private long parseNumeric(int off, int len) {
    return parseNumeric(blk, off, len);
  }

  private long parseNumeric(byte[] b, int off, int len) {
    if (len > 0 && (b[off] & 0x80) != 0) {
      int inv = (b[off] & 0x40) != 0 ? 0xff : 0;
      long x = 0;
      for (int i = 0; i < len; i++) {
        int c = (b[off + i] & 0xff) ^ inv;
        if (i == 0) {
          c &= 0x7f;
        }
        if ((x >>> 56) != 0) {
          numericError = true;
          return 0;
        }
        x = (x << 8) | c;
      }
      if ((x >>> 63) != 0) {
        numericError = true;
        return 0;
      }
      return inv == 0xff ? ~x : x;
    }
    return parseOctal(b, off, len);
  }

  private long parseOctal(int off, int len) {
    return parseOctal(blk, off, len);
  }

  /**
   * Go's {@code parseOctal}: trim spaces and NULs at both ends, cut at the first NUL left, then
   * {@code strconv.ParseUint(s, 8, 64)}, returned as a (possibly wrapped) int64.
   */
  private long parseOctal(byte[] b, int off, int len) {
    int start = off;
    int end = off + len;
    while (start < end && (b[start] == ' ' || b[start] == 0)) {
      start++;
    }
    while (end > start && (b[end - 1] == ' ' || b[end - 1] == 0)) {
      end--;
    }
    if (start == end) {
      return 0;
    }
    end = start + cStringLength(b, start, end - start);
    if (start == end) {
      numericError = true;
      return 0;
    }
    long x = 0;
    for (int i = start; i < end; i++) {
      int d = b[i] - '0';
      if (d < 0 || d > 7 || Long.compareUnsigned(x, 1L << 61) >= 0) {
        numericError = true; // bad digit, or x*8 would not fit in a uint64
        return 0;
      }
      x = (x << 3) | d;
    }
    return x;
  }

  // ---------------------------------------------------------------------------------------------
  // PAX and GNU extension data

  /** Go's {@code readSpecialFile}: the whole data of the current special entry, at most 1 MiB. */
  private byte[] readSpecialFile(String tooLarge) throws IOException {
    if (remaining > MAX_SPECIAL_FILE_SIZE) {
      // Go reads maxSpecialFileSize+1 bytes before giving up; a shorter stream is an EOF error.
      long want = MAX_SPECIAL_FILE_SIZE + 1L;
      long got = skip(want);
      remaining -= got;
      throw fail(got < want ? UNEXPECTED_EOF : tooLarge);
    }
    byte[] data = new byte[(int) remaining];
    int n = readFull(data, 0, data.length);
    remaining -= n;
    if (n < data.length) {
      throw fail(UNEXPECTED_EOF);
    }
    return data;
  }

  /**
   * Go's {@code parsePAX}: strict {@code "%d %s=%s\n"} records, last value of a key wins, GNU sparse
   * 0.0 {@code offset}/{@code numbytes} pairs folded into {@code GNU.sparse.map}.
   */
  private TreeMap<byte[], byte[]> parsePax() throws IOException {
    byte[] buf = readSpecialFile(PAX_TOO_LARGE);
    TreeMap<byte[], byte[]> records = new TreeMap<>(Arrays::compareUnsigned);
    List<byte[]> sparseMap = null;
    int pos = 0;
    while (pos < buf.length) {
      int sp = indexOf(buf, pos, buf.length, (byte) ' ');
      if (sp < 0) {
        throw fail(INVALID_HEADER);
      }
      long n = parseGoInt(buf, pos, sp);
      if (n < 5 || n > buf.length - pos) {
        throw fail(INVALID_HEADER);
      }
      int recEnd = pos + (int) n; // exclusive; the record's last byte must be '\n'
      if (recEnd - 1 <= sp || buf[recEnd - 1] != '\n') {
        throw fail(INVALID_HEADER);
      }
      int eq = indexOf(buf, sp + 1, recEnd - 1, (byte) '=');
      if (eq < 0 || eq == sp + 1) {
        throw fail(INVALID_HEADER); // no '=' or an empty key
      }
      byte[] key = Arrays.copyOfRange(buf, sp + 1, eq);
      byte[] value = Arrays.copyOfRange(buf, eq + 1, recEnd - 1);
      // validPAXRecord: NUL is banned in the value of the string fields, else in the key.
      boolean stringField = Arrays.equals(key, KEY_PATH) || Arrays.equals(key, KEY_LINKPATH)
          || Arrays.equals(key, KEY_UNAME) || Arrays.equals(key, KEY_GNAME);
      byte[] nulChecked = stringField ? value : key;
      if (indexOf(nulChecked, 0, nulChecked.length, (byte) 0) >= 0) {
        throw fail(INVALID_HEADER);
      }
      boolean isOffset = Arrays.equals(key, SPARSE_OFFSET);
      if (isOffset || Arrays.equals(key, SPARSE_NUMBYTES)) {
        int count = sparseMap == null ? 0 : sparseMap.size();
        if ((count % 2 == 0) != isOffset || indexOf(value, 0, value.length, (byte) ',') >= 0) {
          throw fail(INVALID_HEADER);
        }
        if (sparseMap == null) {
          sparseMap = new ArrayList<>();
        }
        sparseMap.add(value);
      } else {
        records.put(key, value);
      }
      pos = recEnd;
    }
    if (sparseMap != null) {
      int len = sparseMap.size() - 1;
      for (byte[] v : sparseMap) {
        len += v.length;
      }
      byte[] joined = new byte[len];
      int p = 0;
      for (byte[] v : sparseMap) {
        if (p > 0) {
          joined[p++] = ',';
        }
        System.arraycopy(v, 0, joined, p, v.length);
        p += v.length;
      }
      records.put(SPARSE_MAP.clone(), joined);
    }
    return records;
  }

  private static List<PaxRecord> records(TreeMap<byte[], byte[]> pax) {
    if (pax == null || pax.isEmpty()) {
      return List.of();
    }
    List<PaxRecord> list = new ArrayList<>(pax.size());
    for (Map.Entry<byte[], byte[]> r : pax.entrySet()) {
      list.add(new PaxRecord(r.getKey(), r.getValue()));
    }
    return list;
  }

  /**
   * Go's {@code parsePAXTime}: {@code secs[.frac]}, the fraction right-padded or truncated to 9
   * digits and negated for negative seconds. Returns {seconds, nanoseconds (may be negative)}.
   */
  private long[] parsePaxTime(byte[] v) {
    int dot = indexOf(v, 0, v.length, (byte) '.');
    int secEnd = dot < 0 ? v.length : dot;
    long secs = parseGoInt(v, 0, secEnd);
    long nsecs = 0;
    if (dot >= 0 && dot + 1 < v.length) {
      for (int i = dot + 1; i < v.length; i++) {
        if (v[i] < '0' || v[i] > '9') {
          throw fail(INVALID_HEADER);
        }
      }
      for (int i = 0; i < 9; i++) {
        int j = dot + 1 + i;
        nsecs = nsecs * 10 + (j < v.length ? v[j] - '0' : 0);
      }
      if (secEnd > 0 && v[0] == '-') {
        nsecs = -nsecs;
      }
    }
    return new long[] {secs, nsecs};
  }

  /**
   * Go's {@code strconv.ParseInt(s, 10, 64)}: optional sign, decimal digits only, no overflow;
   * anything else is an invalid header.
   */
  private long parseGoInt(byte[] b) {
    return parseGoInt(b, 0, b.length);
  }

  private long parseGoInt(byte[] b, int from, int to) {
    DecimalParser p = new DecimalParser();
    for (int i = from; i < to; i++) {
      p.feed(b[i]);
    }
    if (!p.finish()) {
      throw fail(INVALID_HEADER);
    }
    return p.value();
  }

  /** A streaming {@code strconv.ParseInt(s, 10, 64)}, fed one byte at a time. */
  private static final class DecimalParser {
    private int length;
    private boolean negative;
    private boolean digits;
    private boolean ok = true;
    private long acc; // accumulated negatively, as Long.parseLong does, to reach Long.MIN_VALUE

    void feed(byte c) {
      int index = length++;
      if (!ok) {
        return;
      }
      if (index == 0 && (c == '+' || c == '-')) {
        negative = c == '-';
        return;
      }
      int d = c - '0';
      long limit = negative ? Long.MIN_VALUE : -Long.MAX_VALUE;
      if (d < 0 || d > 9 || acc < limit / 10 || acc * 10 < limit + d) {
        ok = false;
        return;
      }
      acc = acc * 10 - d;
      digits = true;
    }

    /** Whether the bytes fed since the last {@link #reset()} form a valid int64. */
    boolean finish() {
      return ok && digits;
    }

    /** The value parsed, meaningful only when {@link #finish()} returned true. */
    long value() {
      return negative ? acc : -acc;
    }

    /** Makes the parser ready for the next token. */
    void reset() {
      length = 0;
      negative = false;
      digits = false;
      ok = true;
      acc = 0;
    }
  }

  private static int indexOf(byte[] b, int from, int to, byte c) {
    for (int i = from; i < to; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    return -1;
  }

  // ---------------------------------------------------------------------------------------------
  // Sparse files

  private record SparseResult(byte[] name, long size) {}

  /**
   * Go's {@code readGNUSparsePAXHeaders} plus the checks of {@code handleSparseFile}: for GNU
   * sparse 0.0/0.1/1.0 the name comes from {@code GNU.sparse.name}, the size from
   * {@code GNU.sparse.size} or {@code realsize}, and a 1.0 map is consumed from the data area
   * (before soci takes the offset). Returns null when the entry is not a PAX sparse file.
   */
  private SparseResult handlePaxSparse(
      TreeMap<byte[], byte[]> pax, byte[] name, long size, byte typeflag) throws IOException {
    byte[] major = pax.getOrDefault(SPARSE_MAJOR, EMPTY);
    byte[] minor = pax.getOrDefault(SPARSE_MINOR, EMPTY);
    boolean is1x0;
    if (equalsAscii(major, "0") && (equalsAscii(minor, "0") || equalsAscii(minor, "1"))) {
      is1x0 = false;
    } else if (equalsAscii(major, "1") && equalsAscii(minor, "0")) {
      is1x0 = true;
    } else if (major.length > 0 || minor.length > 0) {
      return null; // unknown GNU sparse version: a plain file
    } else if (pax.getOrDefault(SPARSE_MAP, EMPTY).length > 0) {
      is1x0 = false;
    } else {
      return null;
    }
    byte[] sparseName = pax.getOrDefault(SPARSE_NAME, EMPTY);
    if (sparseName.length > 0) {
      name = sparseName;
    }
    byte[] sizeText = pax.getOrDefault(SPARSE_SIZE, EMPTY);
    if (sizeText.length == 0) {
      sizeText = pax.getOrDefault(SPARSE_REALSIZE, EMPTY);
    }
    if (sizeText.length > 0) {
      size = parseGoInt(sizeText);
    }
    SparseValidator check = new SparseValidator(size);
    if (is1x0) {
      readSparseMap1x0(check);
    } else {
      readSparseMap0x1(pax, check);
    }
    if (isHeaderOnly(typeflag) || !check.valid || size < 0) {
      throw fail(INVALID_HEADER);
    }
    return new SparseResult(name, size);
  }

  /** Go's {@code validateSparseEntries}, fed one entry at a time. */
  private static final class SparseValidator {
    final long size;
    long previousEnd;
    boolean valid = true;

    SparseValidator(long size) {
      this.size = size;
    }

    void add(long offset, long length) {
      if (offset < 0 || length < 0 || offset > Long.MAX_VALUE - length) {
        valid = false;
        return;
      }
      long end = offset + length;
      if (end > size || previousEnd > offset) {
        valid = false;
      }
      previousEnd = end;
    }
  }

  private void readSparseMap0x1(TreeMap<byte[], byte[]> pax, SparseValidator check) {
    byte[] blocks = pax.getOrDefault(SPARSE_NUMBLOCKS, EMPTY);
    long numEntries = parseGoInt(blocks);
    if (numEntries < 0 || 2 * numEntries < numEntries) {
      throw fail(INVALID_HEADER);
    }
    byte[] map = pax.getOrDefault(SPARSE_MAP, EMPTY);
    List<int[]> fields = new ArrayList<>(); // [from, to) of each comma-separated field
    if (map.length > 0) {
      int from = 0;
      for (int i = 0; i <= map.length; i++) {
        if (i == map.length || map[i] == ',') {
          fields.add(new int[] {from, i});
          from = i + 1;
        }
      }
    }
    if (fields.size() != 2 * numEntries) {
      throw fail(INVALID_HEADER);
    }
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      int[] o = fields.get(i);
      int[] l = fields.get(i + 1);
      check.add(parseGoInt(map, o[0], o[1]), parseGoInt(map, l[0], l[1]));
    }
  }

  /**
   * Go's {@code readGNUSparseMap1x0}: newline-terminated decimal numbers (count, then offset/length
   * pairs) in whole blocks at the start of the data, read only as far as the block holding the last
   * needed newline. Tokens are parsed as they stream by, so memory stays bounded.
   */
  private void readSparseMap1x0(SparseValidator check) throws IOException {
    long needed = 1; // newlines needed: 1 until the count is known, then 1 + 2 * count
    long seen = 0;
    long numEntries = -1;
    boolean badEntry = false;
    long pendingOffset = 0;
    DecimalParser token = new DecimalParser();
    while (seen < needed) {
      if (remaining < BLOCK) {
        // The logical data ends inside the map: Go's mustReadFull reports an unexpected EOF.
        long got = skip(remaining);
        remaining -= got;
        throw fail(UNEXPECTED_EOF);
      }
      int n = readFull(blk, 0, BLOCK);
      remaining -= n;
      if (n < BLOCK) {
        throw fail(UNEXPECTED_EOF);
      }
      for (int i = 0; i < BLOCK; i++) {
        byte c = blk[i];
        if (c != '\n') {
          token.feed(c);
          continue;
        }
        long index = seen++; // token index: 0 is the count, then offset/length pairs
        boolean ok = token.finish();
        long value = token.value();
        token.reset();
        if (index == 0) {
          if (!ok || value < 0 || 2 * value < value) {
            throw fail(INVALID_HEADER);
          }
          numEntries = value;
          needed = 1 + 2 * numEntries;
        } else if (index <= 2 * numEntries) {
          if (!ok) {
            badEntry = true;
          } else if (index % 2 == 1) {
            pendingOffset = value;
          } else if (!badEntry) {
            check.add(pendingOffset, value);
          }
        }
      }
    }
    if (badEntry) {
      throw fail(INVALID_HEADER);
    }
  }

  /**
   * Go's {@code readOldGNUSparseMap}, run only for its errors: soci rejects type {@code 'S'} in any
   * case, but Go may fail first (a non-GNU header, bad numbers, a missing extension block).
   */
  private void readOldGnuSparseMap(int format) throws IOException {
    if (format != GNU) {
      throw fail(INVALID_HEADER);
    }
    numericError = false;
    long realSize = parseNumeric(483, 12);
    if (numericError) {
      throw fail(INVALID_HEADER);
    }
    SparseValidator check = new SparseValidator(realSize);
    int base = 386;
    int entries = 4;
    int extendedFlag = 482;
    while (true) {
      for (int i = 0; i < entries; i++) {
        int off = base + 24 * i;
        if (blk[off] == 0) {
          break;
        }
        long offset = parseNumeric(off, 12);
        long length = parseNumeric(off + 12, 12);
        if (numericError) {
          throw fail(INVALID_HEADER);
        }
        check.add(offset, length);
      }
      if (blk[extendedFlag] <= 0) {
        break;
      }
      if (readFull(blk, 0, BLOCK) < BLOCK) {
        throw fail(UNEXPECTED_EOF);
      }
      base = 0;
      entries = 21;
      extendedFlag = 504;
    }
    if (!check.valid || realSize < 0) {
      throw fail(INVALID_HEADER);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Stream access

  /** Reads until {@code len} bytes or end of stream; returns the count read. */
  private int readFull(byte[] b, int off, int len) throws IOException {
    int n = 0;
    while (n < len) {
      int r = in.read(b, off + n, len - n);
      if (r < 0) {
        break;
      }
      n += r;
      position += r;
    }
    return n;
  }

  /**
   * Skips up to {@code n} bytes, stopping early only at end of stream; returns the count skipped.
   * {@code skip} returning 0 is not taken as end of stream: a read decides.
   */
  private long skip(long n) throws IOException {
    long done = 0;
    while (done < n) {
      long k = in.skip(n - done);
      if (k > 0) {
        done += k;
        position += k;
        continue;
      }
      int r = in.read(blk, 0, (int) Math.min(BLOCK, n - done));
      if (r < 0) {
        break;
      }
      done += r;
      position += r;
    }
    return done;
  }

  private LayerDataException fail(String problem) {
    return new LayerDataException(problem, -1, position);
  }

  /** soci's {@code fmt.Errorf("unsupported input tar entry %q", typeflag)} quoting, in our words. */
  static String unsupported(byte typeflag) {
    return "unsupported tar entry type " + goQuoteByte(typeflag & 0xff);
  }

  /** Go's {@code %q} of a byte value (a rune in U+0000..U+00FF). */
  static String goQuoteByte(int c) {
    String body = switch (c) {
      case 0x07 -> "\\a";
      case 0x08 -> "\\b";
      case 0x0c -> "\\f";
      case '\n' -> "\\n";
      case '\r' -> "\\r";
      case '\t' -> "\\t";
      case 0x0b -> "\\v";
      case '\'' -> "\\'";
      case '\\' -> "\\\\";
      default -> {
        if (c < 0x20 || c == 0x7f) {
          yield String.format("\\x%02x", c);
        } else if (c < 0x7f) {
          yield String.valueOf((char) c);
        } else if (c < 0xa1 || c == 0xad) {
          yield String.format("\\u%04x", c); // not printable for strconv.IsPrint
        } else {
          yield String.valueOf((char) c);
        }
      }
    };
    return "'" + body + "'";
  }

  private static boolean equalsAscii(byte[] value, String s) {
    return Arrays.equals(value, ascii(s));
  }

  private static byte[] ascii(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }
}
