package dev.socibuilder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.testing.tar.UstarHeader;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ztoc get-file -o} streams the file to its output: this class runs in its own surefire execution
 * with {@code -Xmx64m}, and extracts a 300 MB file.
 */
class ZtocGetFileSmallHeapTest {
  private static final long FILE_BYTES = 300L << 20;

  @TempDir Path tmp;

  @Test
  void getFileExtractsAFileLargerThanTheHeap() throws Exception {
    assertThat(Runtime.getRuntime().maxMemory()).as("runs with -Xmx64m").isLessThanOrEqualTo(80L << 20);
    Path layer = tmp.resolve("big.tar.gz");
    MessageDigest written = Digest.newSha256();
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(layer), 1 << 16) {
          {
            def.setLevel(Deflater.BEST_SPEED);
          }
        }) {
      out.write(UstarHeader.file("data/big.bin", FILE_BYTES));
      byte[] chunk = new byte[1 << 16];
      DigestOutputStream data = new DigestOutputStream(OutputStream.nullOutputStream(), written);
      for (long left = FILE_BYTES; left > 0; left -= chunk.length) {
        for (int i = 0; i < chunk.length; i += 64) {
          chunk[i] = (byte) (left >>> 16); // compressible, but not one repeated block
        }
        out.write(chunk);
        data.write(chunk);
      }
      out.write(new byte[1024]);
    }
    Path ztoc = tmp.resolve("big.ztoc");
    Path extracted = tmp.resolve("big.bin");

    CliTestSupport.Run create = CliTestSupport.run("ztoc", "create", layer.toString(), "-o", ztoc.toString());
    CliTestSupport.Run get = CliTestSupport.run("ztoc", "get-file", ztoc.toString(), layer.toString(), "data/big.bin",
        "-o", extracted.toString());

    assertThat(create.exitCode()).as(create.err()).isZero();
    assertThat(get.exitCode()).as(get.err()).isZero();
    assertThat(Files.size(extracted)).isEqualTo(FILE_BYTES);
    MessageDigest read = Digest.newSha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(extracted), read)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    assertThat(read.digest()).isEqualTo(written.digest());
  }
}
