package dev.socibuilder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socibuilder.cli.args.Command;
import dev.socibuilder.cli.args.CommandSpec;
import dev.socibuilder.cli.args.Streams;
import dev.socibuilder.cli.args.UsageException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class MainTest {

  /** A command that fails with what it is given, as an overflowing recursion or a broken class path would. */
  static final class Boom implements Command {
    private static final CommandSpec SPEC = CommandSpec.of("boom", List.of("Fails."), List.of(), List.of());
    private final Throwable failure;

    Boom(Throwable failure) {
      this.failure = failure;
    }

    @Override
    public CommandSpec spec() {
      return SPEC;
    }

    @Override
    public int run(Streams streams) throws Exception {
      if (failure instanceof Error e) {
        throw e;
      }
      throw (Exception) failure;
    }
  }

  private record Output(int exitCode, String out, String err) {}

  private static Output run(Command root, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(root, new Streams(new PrintWriter(out, true), new PrintWriter(err, true)), args);
    return new Output(code, out.toString(), err.toString());
  }

  private static String runFailing(Throwable failure) {
    Output r = run(new Boom(failure));

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    return r.err();
  }

  @Test
  void theRootOffersEveryCommandAndHelpInTheOrderHelpListsThem() {
    assertThat(new Main().spec().subcommands()).containsExactly("index", "backfill", "inspect", "ztoc", "help");
  }

  @Test
  void eachCommandIsBuiltByItsNameOnly() {
    Main main = new Main();

    assertThat(main.subcommand("index")).isInstanceOf(IndexCommand.class);
    assertThat(main.subcommand("backfill")).isInstanceOf(BackfillCommand.class);
    assertThat(main.subcommand("inspect")).isInstanceOf(InspectCommand.class);
    assertThat(main.subcommand("ztoc")).isInstanceOf(ZtocCommand.class);
    assertThat(main.subcommand("help")).isNotNull();
    assertThat(main.subcommand("no-such-command")).isNull();
    assertThat(new ZtocCommand().subcommand("create")).isInstanceOf(ZtocCommand.Create.class);
    assertThat(new ZtocCommand().subcommand("info")).isInstanceOf(ZtocCommand.Info.class);
    assertThat(new ZtocCommand().subcommand("get-file")).isInstanceOf(ZtocCommand.GetFile.class);
  }

  @Test
  void theUsageListsEveryCommand() {
    Output r = run(new Main(), "--help");

    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("  index ", "  backfill ", "  inspect ", "  ztoc ", "  help ");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void theVersionIsTheBuildsOnEveryCommand() {
    for (String[] args : new String[][] {{"--version"}, {"-V"}, {"index", "--version"}, {"ztoc", "create", "-V"}}) {
      Output r = run(new Main(), args);

      assertThat(r.exitCode()).as(String.join(" ", args)).isZero();
      assertThat(r.out()).as(String.join(" ", args)).startsWith("soci-builder ").endsWith(System.lineSeparator())
          .hasLineCount(1);
    }
  }

  @Test
  void noCommandIsAUsageError() {
    Output r = run(new Main());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).startsWith("missing command" + System.lineSeparator() + "Usage: soci-builder [-hV] [COMMAND]");
  }

  @Test
  void aGroupWithoutSubcommandIsAUsageError() {
    Output r = run(new Main(), "ztoc");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).startsWith("missing subcommand" + System.lineSeparator() + "Usage: soci-builder ztoc ")
        .contains("  create ", "  info ", "  get-file ");
  }

  @Test
  void aUsageErrorOfTheCommandItselfShowsItsUsage() {
    Output r = run(new Boom(new UsageException("--span-size must be positive")));

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("--span-size must be positive" + System.lineSeparator()
        + "Usage: boom [-hV]" + System.lineSeparator() + "Fails." + System.lineSeparator()
        + "  -h, --help      Show this help message and exit." + System.lineSeparator()
        + "  -V, --version   Print version information and exit." + System.lineSeparator());
  }

  @Test
  void expectedFailuresAreOneLine() {
    assertThat(runFailing(new CliException("no such layer file: x")))
        .isEqualTo("soci-builder: no such layer file: x" + System.lineSeparator());
    assertThat(runFailing(new IOException("disk full")))
        .isEqualTo("soci-builder: I/O error: disk full" + System.lineSeparator());
  }

  @Test
  void anUnexpectedExceptionIsOneLineNamingIt() {
    assertThat(runFailing(new IllegalStateException("bug")))
        .isEqualTo("soci-builder: internal error: java.lang.IllegalStateException: bug" + System.lineSeparator());
  }

  @Test
  void aStackOverflowIsOneLineNotAStackTrace() {
    assertThat(runFailing(new StackOverflowError()))
        .isEqualTo("soci-builder: internal error: stack overflow (input nested too deeply?)" + System.lineSeparator());
  }

  @Test
  void anyOtherErrorIsOneLineNamingIt() {
    assertThat(runFailing(new NoClassDefFoundError("dev/socibuilder/Foo")))
        .isEqualTo("soci-builder: internal error: java.lang.NoClassDefFoundError: dev/socibuilder/Foo"
            + System.lineSeparator());
  }

  @Test
  void outOfMemorySaysHowToGiveTheJvmMore() {
    assertThat(runFailing(new OutOfMemoryError("Java heap space")))
        .startsWith("soci-builder: out of memory (Java heap space, maximum heap ")
        .contains("-Xmx").doesNotContain("\n\t");
  }
}
