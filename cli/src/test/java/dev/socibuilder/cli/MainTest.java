package dev.socibuilder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class MainTest {

  /** A command that fails with an Error, as an overflowing recursion or a broken class path would. */
  @Command(name = "boom")
  static final class Boom implements Runnable {
    private final Error error;

    Boom(Error error) {
      this.error = error;
    }

    @Override
    public void run() {
      throw error;
    }
  }

  private static String runFailing(Error error) {
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.addSubcommand("boom", new Boom(error));
    cl.setErr(new PrintWriter(err, true));

    assertThat(Main.run(cl, "boom")).isEqualTo(1);
    return err.toString();
  }

  @Test
  void aCommandLineForOneCommandHoldsOnlyIt() {
    assertThat(Main.commandLine("ztoc").getSubcommands().keySet()).containsExactly("ztoc");
    assertThat(Main.commandLine("index").getSubcommands().keySet()).containsExactly("index");
  }

  @Test
  void helpVersionAndUnknownCommandsSeeEveryCommand() {
    for (String first : new String[] {null, "--help", "-V", "help", "no-such-command"}) {
      assertThat(Main.commandLine(first).getSubcommands().keySet())
          .as(first)
          .containsExactly("index", "backfill", "inspect", "ztoc", "help");
    }
  }

  @Test
  void theUsageListsEveryCommand() {
    StringWriter out = new StringWriter();
    CommandLine cl = Main.commandLine("--help");
    cl.setOut(new PrintWriter(out, true));

    assertThat(Main.run(cl, "--help")).isZero();
    assertThat(out.toString()).contains("  index ", "  backfill ", "  inspect ", "  ztoc ", "  help ");
  }

  @Test
  void aStackOverflowIsOneLineNotAStackTrace() {
    assertThat(runFailing(new StackOverflowError()))
        .isEqualTo("soci-builder: internal error: stack overflow (input nested too deeply?)" + System.lineSeparator());
  }

  @Test
  void anyOtherErrorIsOneLineNamingIt() {
    assertThat(runFailing(new NoClassDefFoundError("picocli/Foo")))
        .isEqualTo("soci-builder: internal error: java.lang.NoClassDefFoundError: picocli/Foo" + System.lineSeparator());
  }

  @Test
  void outOfMemorySaysHowToGiveTheJvmMore() {
    assertThat(runFailing(new OutOfMemoryError("Java heap space")))
        .startsWith("soci-builder: out of memory (Java heap space, maximum heap ")
        .contains("-Xmx").doesNotContain("\n\t");
  }
}
