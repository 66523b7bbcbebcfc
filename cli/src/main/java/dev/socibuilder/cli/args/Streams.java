package dev.socibuilder.cli.args;

import java.io.BufferedWriter;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;

/**
 * Where a command writes text: {@code out} for results and help, {@code err} for messages (tests capture both).
 */
public record Streams(PrintWriter out, PrintWriter err) {

  /**
   * The process's standard output and error, as they always were: in the console's encoding
   * ({@code sun.stdout.encoding}/{@code sun.stderr.encoding}, set on Windows consoles) or the default charset,
   * buffered, flushed by every {@code println}.
   */
  public static Streams system() {
    return new Streams(writer(System.out, "sun.stdout.encoding"), writer(System.err, "sun.stderr.encoding"));
  }

  private static PrintWriter writer(OutputStream stream, String encodingProperty) {
    String encoding = System.getProperty(encodingProperty);
    Charset charset = encoding != null ? Charset.forName(encoding) : Charset.defaultCharset();
    return new PrintWriter(new BufferedWriter(new OutputStreamWriter(stream, charset)), true);
  }
}
