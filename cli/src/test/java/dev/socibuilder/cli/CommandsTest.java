package dev.socibuilder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socibuilder.cli.args.Cli;
import dev.socibuilder.cli.args.Command;
import dev.socibuilder.cli.args.Help;
import dev.socibuilder.cli.args.Option;
import dev.socibuilder.cli.args.Positional;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What every command of the CLI declares, and how the CLI reports usage errors. */
class CommandsTest {
  private static final String NL = System.lineSeparator();

  private static List<Command> commands() {
    return List.of(new IndexCommand(), new BackfillCommand(), new InspectCommand(), new ZtocCommand.Create(),
        new ZtocCommand.Info(), new ZtocCommand.GetFile());
  }

  @Test
  void everyDeclaredOptionAndParameterIsTakenByItsCommand() {
    for (Command command : commands()) {
      for (Option o : command.spec().options()) {
        String value = o.isFlag() ? "true" : o.defaultValue() != null ? o.defaultValue() : "1";
        try {
          command.set(o.name(), value);
        } catch (IllegalArgumentException refused) {
          // Bound (e.g. --timeout refuses "1"); an unbound key throws IllegalStateException and fails the test.
        }
      }
      for (Positional p : command.spec().positionals()) {
        command.set(p.label(), "x");
      }
    }
  }

  @Test
  void theHelpOfEveryCommandShowsEveryVisibleOptionWithItsLabel() {
    for (Command command : commands()) {
      String usage = Help.usage(command, "soci-builder " + command.spec().name());
      for (Option o : command.spec().options()) {
        String shown = o.isFlag() ? o.name() : o.name() + "=" + o.label();
        if (o.hidden()) {
          assertThat(usage).as(command.spec().name()).doesNotContain(o.name());
        } else {
          assertThat(usage).as(command.spec().name()).contains(shown);
        }
      }
      for (Positional p : command.spec().positionals()) {
        assertThat(usage).contains("      " + p.label() + " ");
      }
      assertThat(usage).contains("  -h, --help ", "  -V, --version ");
      for (String line : usage.split(NL)) {
        assertThat(line.length()).as(line).isLessThanOrEqualTo(80);
      }
    }
  }

  @Test
  void backfillsHiddenPageSizeWorksAndDefaultsToAHundred() {
    BackfillCommand given = new BackfillCommand();
    Cli.parse(given, "127.0.0.1:5000", "--page-size", "5");
    BackfillCommand defaulted = new BackfillCommand();
    Cli.parse(defaulted, "127.0.0.1:5000");

    assertThat(given.pageSize).isEqualTo(5);
    assertThat(defaulted.pageSize).isEqualTo(100);
  }

  @Test
  void theDefaultsAreTheDocumentedOnes() {
    ZtocCommand.Create create = new ZtocCommand.Create();
    Cli.parse(create, "layer.tar.gz", "-o", "out.ztoc");
    assertThat(create.spanSize).isEqualTo(4194304);
    assertThat(create.compression).isEqualTo(ZtocCommand.Compression.gzip);
    assertThat(create.timeZone).isEqualTo("UTC");
    assertThat(create.limits).isEmpty();
    assertThat(create.buildTool).isNull();
    assertThat(create.inflateThreads).isNull();

    IndexCommand index = new IndexCommand();
    Cli.parse(index, "oci:x");
    assertThat(index.indexing.indexVersion).isEqualTo("v2");
    assertThat(index.indexing.minLayerSize).isEqualTo(10485760);
    assertThat(index.indexing.tagSuffix).isEqualTo("-soci");
    assertThat(index.indexing.timeZone).isEqualTo("UTC");

    BackfillCommand backfill = new BackfillCommand();
    Cli.parse(backfill, "127.0.0.1:5000");
    assertThat(backfill.filters).isEqualTo("*:*");
  }

  @Test
  void aTagSuffixStartingWithADashIsAValue() {
    IndexCommand index = new IndexCommand();
    Cli.parse(index, "oci:x", "--tag-suffix", "-lazy");

    assertThat(index.indexing.tagSuffix).isEqualTo("-lazy");
  }

  @Test
  void usageErrorsAreTheMessageThenTheUsageOnStderrWithExitCodeTwo() {
    Object[][] cases = {
        {new String[] {"index"}, "Missing required parameter: 'IMAGE'", "soci-builder index"},
        {new String[] {"ztoc", "create", "x.tar.gz"}, "Missing required option: '--output=OUT'", "soci-builder ztoc create"},
        {new String[] {"ztoc", "create", "x.tar.gz", "-o", "y", "--span-size", "abc"},
            "Invalid value for option '--span-size': 'abc' is not a long", "soci-builder ztoc create"},
        {new String[] {"ztoc", "create", "x.tar.gz", "-o", "y", "--compression", "zip"},
            "Invalid value for option '--compression': expected one of [gzip, uncompressed] (case-sensitive) but "
                + "was 'zip'", "soci-builder ztoc create"},
        {new String[] {"index", "oci:x", "--timeout", "15x"},
            "Invalid value for option '--timeout': '15x' is not a duration (e.g. 90s, 15m, 1h30m, PT15M)",
            "soci-builder index"},
        {new String[] {"ztoc", "create", "x.tar.gz", "-o", "y", "--span-size", "0"}, "--span-size must be positive",
            "soci-builder ztoc create"},
        {new String[] {"index", "oci:x", "extra"}, "Unmatched argument at index 2: 'extra'", "soci-builder index"},
        {new String[] {"-x"}, "Unknown option: '-x'", "soci-builder"},
        {new String[] {"ztoc"}, "missing subcommand", "soci-builder ztoc"},
        {new String[] {}, "missing command", "soci-builder"},
        {new String[] {"help", "nosuch"}, "Unknown subcommand 'nosuch'.", "soci-builder"},
    };
    for (Object[] c : cases) {
      String[] args = (String[]) c[0];
      CliTestSupport.Run r = CliTestSupport.run(args);

      assertThat(r.exitCode()).as(String.join(" ", args)).isEqualTo(2);
      assertThat(r.out()).as(String.join(" ", args)).isEmpty();
      assertThat(r.err()).as(String.join(" ", args)).startsWith(c[1] + NL + "Usage: " + c[2] + " [-hV]");
    }
  }

  @Test
  void aMistypedNameGetsSuggestionsInsteadOfTheUsage() {
    CliTestSupport.Run option = CliTestSupport.run("index", "--foo", "oci:x");
    assertThat(option.exitCode()).isEqualTo(2);
    assertThat(option.err()).isEqualTo("Unknown option: '--foo'" + NL + "Possible solutions: --force" + NL);

    CliTestSupport.Run command = CliTestSupport.run("indx");
    assertThat(command.exitCode()).isEqualTo(2);
    assertThat(command.err()).isEqualTo("Unmatched argument at index 0: 'indx'" + NL
        + "Did you mean: soci-builder index or soci-builder inspect?" + NL);
  }

  @Test
  void helpOfACommandAndOfASubcommand() {
    CliTestSupport.Run index = CliTestSupport.run("help", "index");
    CliTestSupport.Run create = CliTestSupport.run("help", "ztoc", "create");
    CliTestSupport.Run getFile = CliTestSupport.run("ztoc", "get-file", "--help");

    assertThat(index.exitCode()).isZero();
    assertThat(index.out()).startsWith("Usage: soci-builder index [-hV] ");
    assertThat(create.out()).startsWith("Usage: soci-builder ztoc create [-hV] ");
    assertThat(getFile.out()).startsWith("Usage: soci-builder ztoc get-file [-hV] [-o=OUT] ZTOC LAYER PATH" + NL);
    assertThat(index.err() + create.err() + getFile.err()).isEmpty();
  }
}
