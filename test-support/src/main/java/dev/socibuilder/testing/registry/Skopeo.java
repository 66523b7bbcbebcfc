package dev.socibuilder.testing.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code skopeo copy} for tests: {@code skopeo --insecure-policy copy --src-tls-verify=false
 * --dest-tls-verify=false [extra args] SRC DST}. Sources and destinations are skopeo transports,
 * e.g. {@code oci:/tmp/layout:v1} and {@code docker://127.0.0.1:5000/repo:v1}. Useful extra args:
 * {@code --format v2s2} (Docker schema 2), {@code --all} (every platform of an index), and
 * {@link RegistryServer#destCredsArgs()}.
 */
public final class Skopeo {
  private static final long TIMEOUT_SECONDS = 120;

  private Skopeo() {}

  /**
   * Copies an image; fails with skopeo's stderr (and the command) if it exits non-zero or takes
   * longer than two minutes.
   */
  public static void copy(String src, String dst, String... extraArgs) {
    List<String> cmd = new ArrayList<>(List.of(System.getProperty("skopeo.binary", "skopeo"), "--insecure-policy",
        "copy", "--src-tls-verify=false", "--dest-tls-verify=false"));
    cmd.addAll(List.of(extraArgs));
    cmd.add(src);
    cmd.add(dst);
    Path err = null;
    try {
      err = Files.createTempFile("skopeo-", ".err");
      Process p = new ProcessBuilder(cmd)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(err.toFile())
          .start();
      boolean done = p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      if (!done) {
        p.destroyForcibly();
      }
      if (!done || p.exitValue() != 0) {
        throw new AssertionError("skopeo copy " + src + " -> " + dst + (done ? " exited with " + p.exitValue()
            : " timed out after " + TIMEOUT_SECONDS + " s") + "\ncommand: " + redact(cmd) + "\nstderr:\n"
            + Files.readString(err, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run skopeo (is it installed?)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running skopeo", e);
    } finally {
      if (err != null) {
        try {
          Files.deleteIfExists(err);
        } catch (IOException ignored) {
          // temp file
        }
      }
    }
  }

  /** The command line with the value after any {@code --*creds} flag masked. */
  private static String redact(List<String> cmd) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < cmd.size(); i++) {
      out.add(i > 0 && cmd.get(i - 1).endsWith("creds") ? "****" : cmd.get(i));
    }
    return String.join(" ", out);
  }
}
