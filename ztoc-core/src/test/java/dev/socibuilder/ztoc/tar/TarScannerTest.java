package dev.socibuilder.ztoc.tar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.socibuilder.layer.LayerDataException;
import dev.socibuilder.ztoc.tar.TarBuilder.Header;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TarScannerTest {

  // ---- plain entries, offsets, end of archive ----------------------------------------------

  @Test
  void reportsUstarFieldsAndTheOffsetOfEachEntrysData() throws IOException {
    byte[] tar = new TarBuilder()
        .add(Header.ustar("dir/").typeflag('5').mode(0755).uid(1000).gid(100).mtime(1700000000)
            .uname("alice").gname("staff"))
        .add(Header.ustar("dir/a.txt").mode(04755).size(600).uid(0).gid(0).mtime(1))
        .data(new byte[600])
        .file("dir/b.txt", "hello")
        .end()
        .build();
    TarScanner s = scanner(tar);

    TarEntry dir = s.next();
    assertThat(str(dir.name())).isEqualTo("dir/");
    assertThat(dir.type()).isEqualTo("dir");
    assertThat(dir.dataOffset()).isEqualTo(512);
    assertThat(dir.mode()).isEqualTo(0755);
    assertThat(dir.uid()).isEqualTo(1000);
    assertThat(dir.gid()).isEqualTo(100);
    assertThat(str(dir.uname())).isEqualTo("alice");
    assertThat(str(dir.gname())).isEqualTo("staff");
    assertThat(dir.modTimeSeconds()).isEqualTo(1700000000L);
    assertThat(dir.modTimeNanos()).isZero();
    assertThat(dir.paxRecords()).isEmpty();

    TarEntry a = s.next();
    assertThat(a.type()).isEqualTo("reg");
    assertThat(a.dataOffset()).isEqualTo(1024);
    assertThat(a.size()).isEqualTo(600);
    assertThat(a.mode()).as("setuid bit kept raw").isEqualTo(04755);

    TarEntry b = s.next();
    assertThat(b.dataOffset()).as("600 bytes pad to 1024").isEqualTo(1024 + 1024 + 512);
    assertThat(b.size()).isEqualTo(5);

    assertThat(s.next()).isNull();
    assertThat(s.position()).isEqualTo(tar.length);
    assertThat(s.next()).isNull();
  }

  @Test
  void mapsEveryAcceptedTypeflag() throws IOException {
    TarBuilder t = new TarBuilder();
    String flags = "0123456";
    for (char c : flags.toCharArray()) {
      t.add(Header.ustar("e" + c).typeflag(c).devmajor(c == '3' ? 4 : 0).devminor(c == '4' ? 9 : 0));
    }
    List<TarEntry> entries = scanAll(t.end().build());
    assertThat(entries).extracting(TarEntry::type)
        .containsExactly("reg", "hardlink", "symlink", "char", "block", "dir", "fifo");
    assertThat(entries.get(3).devMajor()).isEqualTo(4);
    assertThat(entries.get(4).devMinor()).isEqualTo(9);
  }

  @Test
  void stopsAtTheEndMarkerAndIgnoresRecordPaddingAndJunkAfterIt() throws IOException {
    byte[] body = new TarBuilder().file("a", "x").end().build(); // 2048 bytes
    byte[] tar = Arrays.copyOf(body, 10240);
    System.arraycopy("junk junk".getBytes(StandardCharsets.US_ASCII), 0, tar, 4096, 9);
    TarScanner s = scanner(tar);
    assertThat(s.next()).isNotNull();
    assertThat(s.next()).isNull();
    assertThat(s.position()).isEqualTo(2048);
  }

  @Test
  void endsCleanlyAtEndOfStreamOnABlockBoundary() throws IOException {
    byte[] tar = new TarBuilder().file("a", "x").build();
    TarScanner s = scanner(tar);
    assertThat(s.next()).isNotNull();
    assertThat(s.next()).isNull();
    assertThat(s.position()).isEqualTo(1024);
  }

  @Test
  void endsCleanlyAfterASingleZeroBlockThenEndOfStream() throws IOException {
    byte[] tar = new TarBuilder().file("a", "x").raw(new byte[512]).build();
    TarScanner s = scanner(tar);
    assertThat(s.next()).isNotNull();
    assertThat(s.next()).isNull();
    assertThat(s.position()).isEqualTo(1536);
  }

  @Test
  void rejectsAZeroBlockFollowedByAHeader() {
    byte[] tar = new TarBuilder().raw(new byte[512]).file("a", "x").end().build();
    assertThat(failure(tar).problem()).isEqualTo("tar: invalid header");
  }

  @Test
  void anEmptyStreamIsAnEmptyArchive() throws IOException {
    TarScanner s = scanner(new byte[0]);
    assertThat(s.next()).isNull();
    assertThat(s.position()).isZero();
  }

  // ---- truncation ---------------------------------------------------------------------------

  @Test
  void truncationInsideFileDataIsUnexpectedEofOnTheFollowingCall() throws IOException {
    byte[] full = new TarBuilder().add(Header.ustar("a").size(1000)).data(new byte[1000]).end()
        .build();
    TarScanner s = scanner(Arrays.copyOf(full, 900));
    assertThat(s.next().dataOffset()).isEqualTo(512);
    LayerDataException e = catchThrowableOfType(s::next, LayerDataException.class);
    assertThat(e.problem()).isEqualTo("tar: unexpected EOF");
    assertThat(e.uncompressedOffset()).isEqualTo(900);
    assertThat(catchThrowableOfType(s::next, LayerDataException.class))
        .as("the failure is sticky").isSameAs(e);
  }

  @Test
  void truncationInsideThePaddingAfterTheLastFileIsACleanEnd() throws IOException {
    byte[] full = new TarBuilder().file("a", "hello").end().build();
    TarScanner s = scanner(Arrays.copyOf(full, 512 + 5 + 100));
    assertThat(s.next()).isNotNull();
    assertThat(s.next()).isNull();
    assertThat(s.position()).isEqualTo(617);
  }

  @Test
  void truncationInsideAHeaderIsUnexpectedEof() {
    byte[] full = new TarBuilder().file("a", "hello").file("b", "x").end().build();
    assertThat(failure(Arrays.copyOf(full, 1024 + 300)).problem())
        .isEqualTo("tar: unexpected EOF");
    byte[] zeroThenPartial = new TarBuilder().file("a", "x").raw(new byte[512 + 100]).build();
    assertThat(failure(zeroThenPartial).problem()).isEqualTo("tar: unexpected EOF");
  }

  // ---- header formats -----------------------------------------------------------------------

  @Test
  void joinsTheUstarPrefixEvenWhenTheVersionBytesAreNul() throws IOException {
    byte[] tar = new TarBuilder()
        .add(Header.ustar("name.txt").prefix("some/long/prefix"))
        .add(Header.ustar("other.txt").prefix("p").magic("ustar\0", "\0\0"))
        .end().build();
    List<TarEntry> e = scanAll(tar);
    assertThat(str(e.get(0).name())).isEqualTo("some/long/prefix/name.txt");
    assertThat(str(e.get(1).name())).isEqualTo("p/other.txt");
  }

  @Test
  void starHeadersUseA131BytePrefix() throws IOException {
    Header h = Header.ustar("n").raw(508, "tar\0".getBytes(StandardCharsets.US_ASCII));
    h.raw(345, "x".repeat(131).getBytes(StandardCharsets.US_ASCII)); // fills the STAR prefix
    h.octal(476, 12, 5).octal(488, 12, 6); // STAR atime, ctime
    List<TarEntry> e = scanAll(new TarBuilder().add(h).end().build());
    assertThat(str(e.get(0).name())).isEqualTo("x".repeat(131) + "/n");
  }

  @Test
  void v7HeadersIgnoreUnameGnameAndDeviceFields() throws IOException {
    Header h = Header.v7("v7/file").uname("root").gname("wheel").devmajor(8).devminor(1)
        .typeflag('3');
    TarEntry e = scanAll(new TarBuilder().add(h).end().build()).get(0);
    assertThat(e.type()).isEqualTo("char");
    assertThat(e.uname()).isEmpty();
    assertThat(e.gname()).isEmpty();
    assertThat(e.devMajor()).isZero();
    assertThat(e.devMinor()).isZero();
  }

  @Test
  void gnuMagicWithUstarVersionIsReadAsV7() throws IOException {
    Header h = Header.ustar("f").magic("ustar ", "00").uname("root").prefix("ignored");
    TarEntry e = scanAll(new TarBuilder().add(h).end().build()).get(0);
    assertThat(str(e.name())).isEqualTo("f");
    assertThat(e.uname()).isEmpty();
  }

  @Test
  void typeflagNulIsADirectoryWhenTheNameEndsInASlashElseARegularFile() throws IOException {
    byte[] tar = new TarBuilder()
        .add(Header.v7("legacy/").typeflag('\0'))
        .add(Header.v7("legacy/file").typeflag('\0').size(3)).data("abc")
        .add(Header.v7("legacy/x").typeflag('0'))
        .end().build();
    List<TarEntry> e = scanAll(tar);
    assertThat(e).extracting(TarEntry::type).containsExactly("dir", "reg", "reg");
    assertThat(e.get(2).dataOffset()).isEqualTo(512 * 4);
  }

  @Test
  void gnuHeadersHaveNoPrefixUnlessAtimeAndCtimeHoldText() throws IOException {
    Header plain = Header.gnu("a").octal(345, 12, 1700000000); // a real GNU atime
    Header buggy = Header.gnu("b").prefix("text-prefix"); // pre-Go-1.8 writer: prefix over atime
    Header binary = Header.gnu("c");
    binary.raw(345, new byte[] {(byte) 'z', (byte) 0xe9}); // unparsable and not ASCII: no prefix
    List<TarEntry> e = scanAll(new TarBuilder().add(plain).add(buggy).add(binary).end().build());
    assertThat(e).extracting(x -> str(x.name())).containsExactly("a", "text-prefix/b", "c");
  }

  @Test
  void keepsNamesRawAndUncleaned() throws IOException {
    byte[] invalid = {'.', '/', 'a', (byte) 0xff, '/', '/', 'b', '/'};
    byte[] hundred = "n".repeat(100).getBytes(StandardCharsets.US_ASCII);
    byte[] tar = new TarBuilder()
        .add(Header.ustar("x").name(invalid).typeflag('5'))
        .add(Header.ustar("x").name(hundred).linkname("../t").typeflag('2'))
        .end().build();
    List<TarEntry> e = scanAll(tar);
    assertThat(e.get(0).name()).isEqualTo(invalid);
    assertThat(e.get(1).name()).as("100 bytes without NUL").isEqualTo(hundred);
    assertThat(str(e.get(1).linkname())).isEqualTo("../t");
  }

  // ---- checksums and numbers ----------------------------------------------------------------

  @Test
  void acceptsTheSignedChecksumAndRejectsAWrongOne() throws IOException {
    Header signed = Header.ustar("é-name").signedChecksum();
    assertThat(signed.signedSum()).isNotEqualTo(signed.unsignedSum());
    assertThat(scanAll(new TarBuilder().add(signed).end().build())).hasSize(1);

    Header spaced = Header.ustar("s");
    spaced.rawChecksum(" " + Long.toOctalString(spaced.unsignedSum()) + " ");
    assertThat(scanAll(new TarBuilder().add(spaced).end().build())).hasSize(1);

    Header wrong = Header.ustar("w");
    wrong.rawChecksum(String.format("%06o", wrong.unsignedSum() + 1) + "\0 ");
    LayerDataException e = failure(new TarBuilder().file("ok", "1").add(wrong).end().build());
    assertThat(e.problem()).isEqualTo("tar: invalid header");
    assertThat(e.uncompressedOffset()).isEqualTo(1536);
  }

  @Test
  void parsesBase256NumbersAsTwosComplement() throws IOException {
    Header h = Header.gnu("big").typeflag('0');
    h.base256(124, 12, 3); // size
    h.base256(108, 8, -1); // uid
    h.base256(116, 8, 1L << 40); // gid
    h.base256(136, 12, -86400); // mtime: one day before the epoch
    TarEntry e = scanAll(new TarBuilder().add(h).data("abc").end().build()).get(0);
    assertThat(e.size()).isEqualTo(3);
    assertThat(e.uid()).isEqualTo(-1);
    assertThat(e.gid()).isEqualTo(1L << 40);
    assertThat(e.modTimeSeconds()).isEqualTo(-86400);
  }

  @Test
  void rejectsBase256NumbersThatOverflowInt64() {
    Header h = Header.gnu("big");
    byte[] field = new byte[12];
    field[0] = (byte) 0x80;
    field[3] = 1; // 2^64 and more: nine significant bytes
    h.raw(136, field);
    assertThat(failure(new TarBuilder().add(h).end().build()).problem())
        .isEqualTo("tar: invalid header");
  }

  @Test
  void parsesOctalAfterTrimmingSpacesAndNulsAndStopsAtANul() throws IOException {
    Header h = Header.ustar("o");
    h.text(100, 8, " 755 \0\0"); // mode with spaces
    h.text(108, 8, "\0\0 12"); // uid with leading NULs and a space
    h.raw(116, "17\0zz\0\0\0".getBytes(StandardCharsets.US_ASCII)); // gid: junk after NUL
    TarEntry e = scanAll(new TarBuilder().add(h).end().build()).get(0);
    assertThat(e.mode()).isEqualTo(0755);
    assertThat(e.uid()).isEqualTo(012);
    assertThat(e.gid()).isEqualTo(017);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0000009", "12 34", "-1", "+1", "0x10"})
  void rejectsMalformedOctal(String text) {
    Header h = Header.ustar("o").text(108, 8, text);
    assertThat(failure(new TarBuilder().add(h).end().build()).problem())
        .isEqualTo("tar: invalid header");
  }

  @Test
  void rejectsANegativeSize() {
    Header h = Header.gnu("neg").base256(124, 12, -5);
    assertThat(failure(new TarBuilder().add(h).end().build()).problem())
        .isEqualTo("tar: invalid header");
  }

  @Test
  void headerOnlyTypesKeepTheirSizeButHaveNoData() throws IOException {
    byte[] tar = new TarBuilder()
        .add(Header.ustar("link").typeflag('1').linkname("target").size(4096))
        .file("next", "x")
        .end().build();
    List<TarEntry> e = scanAll(tar);
    assertThat(e.get(0).size()).isEqualTo(4096);
    assertThat(e.get(1).dataOffset()).as("no data skipped for the link").isEqualTo(1024);
  }

  // ---- PAX ----------------------------------------------------------------------------------

  @Test
  void keepsTheWholePaxRecordMapSortedBytewiseAndAppliesOverrides() throws IOException {
    byte[] tar = new TarBuilder()
        .pax("uid", "4294967297", "path", "pax/long/name", "SCHILY.xattr.user.b", "\u0001\u00ff",
            "zeta", "z", "Zeta", "Z", "\u00e9", "e-acute", "size", "3", "mtime", "1700000000.12",
            "comment", "", "uname", "")
        .add(Header.ustar("short").size(999).uname("hdruser"))
        .data("abc")
        .end().build();
    TarEntry e = scanAll(tar).get(0);
    assertThat(str(e.name())).isEqualTo("pax/long/name");
    assertThat(e.uid()).isEqualTo(4294967297L);
    assertThat(e.size()).isEqualTo(3);
    assertThat(e.dataOffset()).isEqualTo(512 + 512 + 512);
    assertThat(e.modTimeSeconds()).isEqualTo(1700000000L);
    assertThat(e.modTimeNanos()).isEqualTo(120_000_000);
    assertThat(str(e.uname())).as("an empty PAX value keeps the header's").isEqualTo("hdruser");
    assertThat(e.paxRecords()).containsExactly(
        PaxRecord.of("SCHILY.xattr.user.b", "\u0001\u00ff"),
        PaxRecord.of("Zeta", "Z"),
        PaxRecord.of("comment", ""),
        PaxRecord.of("mtime", "1700000000.12"),
        PaxRecord.of("path", "pax/long/name"),
        PaxRecord.of("size", "3"),
        PaxRecord.of("uid", "4294967297"),
        PaxRecord.of("uname", ""),
        PaxRecord.of("zeta", "z"),
        PaxRecord.of("\u00e9", "e-acute"));
  }

  @Test
  void onlyTheLastPaxHeaderAndTheLastValueOfAKeyCount() throws IOException {
    byte[] tar = new TarBuilder()
        .pax("path", "first", "gname", "g1")
        .pax("gname", "g2", "gname", "g3", "linkpath", "to")
        .add(Header.ustar("f").typeflag('2').linkname("hdr"))
        .add(Header.ustar("plain"))
        .end().build();
    List<TarEntry> e = scanAll(tar);
    assertThat(str(e.get(0).name())).isEqualTo("f");
    assertThat(str(e.get(0).gname())).isEqualTo("g3");
    assertThat(str(e.get(0).linkname())).isEqualTo("to");
    assertThat(e.get(0).paxRecords())
        .containsExactly(PaxRecord.of("gname", "g3"), PaxRecord.of("linkpath", "to"));
    assertThat(e.get(0).dataOffset()).isEqualTo(512 * 5);
    assertThat(e.get(1).paxRecords()).as("a PAX header applies to one entry").isEmpty();
    assertThat(str(e.get(1).name())).isEqualTo("plain");
  }

  @Test
  void negativePaxTimesSubtractTheirFraction() throws IOException {
    byte[] tar = new TarBuilder()
        .pax("mtime", "-1.25")
        .add(Header.ustar("a"))
        .pax("mtime", "5.1234567891")
        .add(Header.ustar("b"))
        .end().build();
    List<TarEntry> e = scanAll(tar);
    assertThat(e.get(0).modTimeSeconds()).isEqualTo(-2);
    assertThat(e.get(0).modTimeNanos()).isEqualTo(750_000_000);
    assertThat(e.get(1).modTimeSeconds()).isEqualTo(5);
    assertThat(e.get(1).modTimeNanos()).as("truncated to 9 digits").isEqualTo(123_456_789);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "13 path=abc\n", // length larger than the 12 bytes left
      "9 path=abc\n", // length too small: the record does not end in a newline
      "4 a=\n", // length below 5
      "x path=abc\n", // length not a number
      " 12 path=abc\n", // length empty
      "8 nokey\n", // no '='
      "7 =abc\n", // empty key
      "12 path=a\u0000c\n", // NUL in a path value
      "13 uname=\u0000bc\n", // NUL in a uname value
      "9 k\u0000ey=v\n", // NUL in a key
      "10 size=12", // no final newline
  })
  void rejectsMalformedPaxRecords(String records) {
    byte[] tar = new TarBuilder()
        .paxRaw(records.getBytes(StandardCharsets.UTF_8))
        .add(Header.ustar("f"))
        .end().build();
    assertThat(failure(tar).problem()).isEqualTo("tar: invalid header");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "mtime=1.5x", "mtime=.5", "mtime=1.-5", "atime=1..2", "ctime=x", "uid=12a4", "gid=-9z99",
      "size=abc", "size=99999999999999999999999", "uid=0x10",
  })
  void rejectsMalformedValuesOfNumericPaxRecords(String keyValue) {
    String[] kv = keyValue.split("=", 2);
    byte[] tar = new TarBuilder()
        .pax(kv[0], kv[1], "path", "before-the-bad-one-is-fine")
        .add(Header.ustar("f"))
        .end().build();
    assertThat(failure(tar).problem()).isEqualTo("tar: invalid header");
  }

  @Test
  void emptyNumericPaxValuesAreNotParsedButKept() throws IOException {
    byte[] tar = new TarBuilder()
        .pax("mtime", "", "uid", "", "size", "")
        .add(Header.ustar("f").mtime(77).uid(5).size(2)).data("ab")
        .end().build();
    TarEntry e = scanAll(tar).get(0);
    assertThat(e.modTimeSeconds()).isEqualTo(77);
    assertThat(e.uid()).isEqualTo(5);
    assertThat(e.size()).isEqualTo(2);
    assertThat(e.paxRecords()).hasSize(3);
  }

  @Test
  void acceptsNulInTheValueOfOtherRecords() throws IOException {
    byte[] tar = new TarBuilder()
        .paxRaw(TarBuilder.record("SCHILY.xattr.user.x", "\u0000\u0001"))
        .add(Header.ustar("f"))
        .end().build();
    assertThat(scanAll(tar).get(0).paxRecords())
        .containsExactly(PaxRecord.of("SCHILY.xattr.user.x", "\u0000\u0001"));
  }

  @Test
  void acceptsAPaxHeaderOfExactlyOneMebibyteAndRejectsLarger() throws IOException {
    int max = 1 << 20;
    byte[] exact = ("1048576 comment=" + "v".repeat(max - 17) + "\n")
        .getBytes(StandardCharsets.US_ASCII);
    assertThat(exact).hasSize(max);
    byte[] ok = new TarBuilder().paxRaw(exact).add(Header.ustar("f")).end().build();
    assertThat(scanAll(ok).get(0).paxRecords().get(0).value()).hasSize(max - 17);

    byte[] big = ("1048577 comment=" + "v".repeat(max - 16) + "\n")
        .getBytes(StandardCharsets.US_ASCII);
    byte[] tooBig = new TarBuilder().paxRaw(big).add(Header.ustar("f")).end().build();
    assertThat(failure(tooBig).problem()).isEqualTo("tar: PAX header too large");
  }

  @Test
  void rejectsAnOversizedGnuLongName() {
    byte[] name = new byte[(1 << 20) + 1];
    Arrays.fill(name, (byte) 'n');
    byte[] tar = new TarBuilder()
        .add(Header.gnu("././@LongLink").typeflag('L').size(name.length)).data(name)
        .add(Header.gnu("f"))
        .end().build();
    assertThat(failure(tar).problem()).isEqualTo("tar: GNU long name too large");
  }

  @Test
  void truncatedPaxDataIsUnexpectedEof() {
    byte[] full = new TarBuilder().pax("path", "p".repeat(300)).add(Header.ustar("f")).build();
    assertThat(failure(Arrays.copyOf(full, 700)).problem()).isEqualTo("tar: unexpected EOF");
  }

  // ---- GNU long names and sparse files --------------------------------------------------------

  @Test
  void gnuLongNamesOverrideUpToTheFirstNulAndGetNoPaxRecords() throws IOException {
    String longName = "d/".repeat(80) + "file";
    String longLink = "t/".repeat(70) + "target";
    byte[] tar = new TarBuilder()
        .add(Header.gnu("././@LongLink").typeflag('L').size(longName.length() + 5))
        .data(longName + "\0junk")
        .add(Header.gnu("././@LongLink").typeflag('K').size(longLink.length()))
        .data(longLink)
        .add(Header.gnu("truncated-name").typeflag('1').linkname("truncated-link"))
        .add(Header.gnu("next"))
        .end().build();
    List<TarEntry> e = scanAll(tar);
    assertThat(str(e.get(0).name())).isEqualTo(longName);
    assertThat(str(e.get(0).linkname())).isEqualTo(longLink);
    assertThat(e.get(0).type()).isEqualTo("hardlink");
    assertThat(e.get(0).paxRecords()).isEmpty();
    assertThat(e.get(0).dataOffset()).isEqualTo(512 * 5);
    assertThat(str(e.get(1).name())).isEqualTo("next");
  }

  @Test
  void aGnuLongNameBeatsAPaxPath() throws IOException {
    byte[] tar = new TarBuilder()
        .pax("path", "from-pax")
        .add(Header.gnu("././@LongLink").typeflag('L').size(8)).data("from-gnu")
        .add(Header.gnu("hdr"))
        .end().build();
    TarEntry e = scanAll(tar).get(0);
    assertThat(str(e.name())).isEqualTo("from-gnu");
    assertThat(e.paxRecords()).containsExactly(PaxRecord.of("path", "from-pax"));
  }

  @Test
  void foldsGnuSparse00OffsetsIntoOneMapRecord() throws IOException {
    byte[] tar = new TarBuilder()
        .pax("GNU.sparse.size", "20", "GNU.sparse.numblocks", "2",
            "GNU.sparse.offset", "0", "GNU.sparse.numbytes", "5",
            "GNU.sparse.offset", "10", "GNU.sparse.numbytes", "3")
        .add(Header.ustar("sparse00").size(8)).data("abcdefgh")
        .add(Header.ustar("after"))
        .end().build();
    List<TarEntry> e = scanAll(tar);
    assertThat(str(e.get(0).name())).isEqualTo("sparse00");
    assertThat(e.get(0).size()).as("GNU.sparse.size").isEqualTo(20);
    assertThat(e.get(0).dataOffset()).isEqualTo(1536);
    assertThat(e.get(0).paxRecords()).containsExactly(
        PaxRecord.of("GNU.sparse.map", "0,5,10,3"),
        PaxRecord.of("GNU.sparse.numblocks", "2"),
        PaxRecord.of("GNU.sparse.size", "20"));
    assertThat(e.get(1).dataOffset()).as("the stored 8 bytes are skipped").isEqualTo(2560);
  }

  @Test
  void rejectsGnuSparse00KeysOutOfOrder() {
    byte[] tar = new TarBuilder()
        .pax("GNU.sparse.numbytes", "5", "GNU.sparse.offset", "0")
        .add(Header.ustar("f"))
        .end().build();
    assertThat(failure(tar).problem()).isEqualTo("tar: invalid header");
  }

  @Test
  void gnuSparse10ConsumesTheMapBeforeTheOffsetAndReportsTheRealNameAndSize() throws IOException {
    String map = "2\n0\n5\n10\n3\n";
    byte[] data = new byte[512 + 8];
    System.arraycopy(map.getBytes(StandardCharsets.US_ASCII), 0, data, 0, map.length());
    byte[] tar = new TarBuilder()
        .pax("GNU.sparse.major", "1", "GNU.sparse.minor", "0",
            "GNU.sparse.name", "real/name", "GNU.sparse.realsize", "20")
        .add(Header.ustar("GNUSparseFile.0/name").size(data.length)).data(data)
        .add(Header.ustar("after"))
        .end().build();
    List<TarEntry> e = scanAll(tar);
    assertThat(str(e.get(0).name())).isEqualTo("real/name");
    assertThat(e.get(0).size()).isEqualTo(20);
    assertThat(e.get(0).dataOffset()).isEqualTo(512 * 3 + 512);
    assertThat(e.get(1).dataOffset()).isEqualTo(512 * 3 + 1024 + 512);
  }

  @Test
  void rejectsAGnuSparseMapBeyondTheRealSize() {
    byte[] tar = new TarBuilder()
        .pax("GNU.sparse.major", "0", "GNU.sparse.minor", "1", "GNU.sparse.size", "10",
            "GNU.sparse.numblocks", "1", "GNU.sparse.map", "5,6")
        .add(Header.ustar("f").size(6)).data("123456")
        .end().build();
    assertThat(failure(tar).problem()).isEqualTo("tar: invalid header");
  }

  // ---- unsupported types --------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(chars = {'7', 'V', 'D', 'M', 'A', 'N'})
  void rejectsTypesSociDoesNotAccept(char flag) {
    byte[] tar = new TarBuilder().add(Header.gnu("odd").typeflag(flag)).end().build();
    LayerDataException e = failure(tar);
    assertThat(e.problem()).isEqualTo("unsupported tar entry type '" + flag + "'");
    assertThat(e.uncompressedOffset()).isEqualTo(512);
  }

  @Test
  void rejectsAPaxGlobalHeader() {
    byte[] records = TarBuilder.records("comment", "global");
    byte[] tar = new TarBuilder()
        .add(Header.ustar("pax_global_header").typeflag('g').size(records.length)).data(records)
        .file("f", "x")
        .end().build();
    assertThat(failure(tar).problem()).isEqualTo("unsupported tar entry type 'g'");
  }

  @Test
  void rejectsOldGnuSparseEntries() {
    Header h = Header.gnu("sparse").typeflag('S').size(0);
    h.octal(483, 12, 0); // real size
    assertThat(failure(new TarBuilder().add(h).end().build()).problem())
        .isEqualTo("unsupported tar entry type 'S'");
  }

  @Test
  void quotesNonPrintableTypeflagsLikeGo() {
    assertThat(TarScanner.unsupported((byte) 0x01)).isEqualTo("unsupported tar entry type '\\x01'");
    assertThat(TarScanner.unsupported((byte) '\'')).isEqualTo("unsupported tar entry type '\\''");
    assertThat(TarScanner.unsupported((byte) 0x80))
        .isEqualTo("unsupported tar entry type '\\u0080'");
  }

  // ---- stream handling ----------------------------------------------------------------------

  @Test
  void worksWhenSkipSkipsNothingAndDoesNotCloseTheStream() throws IOException {
    byte[] tar = new TarBuilder().file("a", "x".repeat(3000)).file("b", "y").end().build();
    boolean[] closed = {false};
    InputStream stubborn = new FilterInputStream(new ByteArrayInputStream(tar)) {
      @Override
      public long skip(long n) {
        return 0;
      }

      @Override
      public void close() {
        closed[0] = true;
      }
    };
    TarScanner s = new TarScanner(stubborn);
    assertThat(s.next().dataOffset()).isEqualTo(512);
    assertThat(s.next().dataOffset()).isEqualTo(512 + 3072 + 512);
    assertThat(s.next()).isNull();
    assertThat(s.position()).isEqualTo(tar.length);
    assertThat(closed[0]).isFalse();
  }

  // ---- helpers ------------------------------------------------------------------------------

  private static TarScanner scanner(byte[] tar) {
    return new TarScanner(new ByteArrayInputStream(tar));
  }

  private static List<TarEntry> scanAll(byte[] tar) throws IOException {
    TarScanner s = scanner(tar);
    List<TarEntry> out = new ArrayList<>();
    for (TarEntry e; (e = s.next()) != null; ) {
      out.add(e);
    }
    return out;
  }

  private static LayerDataException failure(byte[] tar) {
    LayerDataException e = catchThrowableOfType(() -> scanAll(tar), LayerDataException.class);
    assertThat(e).as("expected a LayerDataException").isNotNull();
    return e;
  }

  private static String str(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
