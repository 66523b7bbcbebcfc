package dev.socibuilder.cli.args;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.cli.args.FakeCommands.Copy;
import dev.socibuilder.cli.args.FakeCommands.Tool;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class CliTest {
  private static final String NL = System.lineSeparator();

  private static Copy parse(String... args) {
    Copy copy = new Copy();
    assertThat(Cli.parse(copy, args)).isSameAs(copy);
    return copy;
  }

  private static UsageException usageError(String... args) {
    try {
      Cli.parse(new Copy(), args);
    } catch (UsageException e) {
      return e;
    }
    throw new AssertionError("no usage error for " + String.join(" ", args));
  }

  private record Run(int exitCode, String out, String err, Tool tool) {}

  private static Run execute(String... args) throws Exception {
    return execute(new Tool(), args);
  }

  private static Run execute(Tool tool, String... args) throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Cli.execute(tool, new Streams(new PrintWriter(out, true), new PrintWriter(err, true)), args);
    return new Run(code, out.toString(), err.toString(), tool);
  }

  @Test
  void everyFormOfAnOptionWithAValue() {
    for (String[] args : new String[][] {
        {"in", "nm", "--output", "x"}, {"in", "nm", "--output=x"}, {"in", "nm", "-o", "x"}, {"in", "nm", "-o=x"},
        {"in", "nm", "-ox"}}) {
      assertThat(parse(args).output).as(String.join(" ", args)).isEqualTo("x");
    }
    assertThat(parse("in", "nm", "-o=").output).isEmpty();
    assertThat(parse("in", "nm", "--output=").output).isEmpty();
    assertThat(parse("in", "nm", "-o", "").output).isEmpty();
  }

  @Test
  void flagsAreTrueWhenGivenAndMayBeSpelledOut() {
    Copy plain = parse("in", "nm", "-o", "x");
    assertThat(plain.json).isFalse();
    assertThat(plain.quiet).isFalse();
    assertThat(parse("in", "nm", "-o", "x", "--json", "-q").json).isTrue();
    assertThat(parse("in", "nm", "-o", "x", "--json=TRUE").json).isTrue();
    assertThat(parse("in", "nm", "-o", "x", "--json=false").calls).contains("--json=false");
    assertThat(usageError("in", "nm", "-o", "x", "--json=yes"))
        .hasMessage("Invalid value for option '--json': 'yes' is not a boolean");
  }

  @Test
  void shortFlagsClusterAndMayEndInAnOptionWithAValue() {
    Copy copy = parse("in", "nm", "-qo", "x");
    assertThat(copy.quiet).isTrue();
    assertThat(copy.output).isEqualTo("x");
    assertThat(parse("in", "nm", "-qox").output).isEqualTo("x");
  }

  @Test
  void optionsAndParametersComeInAnyOrder() {
    Copy copy = parse("--json", "in", "-o", "x", "--size", "5", "nm", "-q");

    assertThat(copy.input).isEqualTo("in");
    assertThat(copy.name).isEqualTo("nm");
    assertThat(copy.size).isEqualTo(5);
    assertThat(copy.json).isTrue();
    assertThat(copy.quiet).isTrue();
  }

  @Test
  void aRepeatableOptionCollectsItsValuesInOrder() {
    assertThat(parse("in", "nm", "-o", "x", "--platform", "linux/arm64", "--platform=linux/amd64").platforms)
        .containsExactly("linux/arm64", "linux/amd64");
    assertThat(parse("in", "nm", "-o", "x").platforms).isEmpty();
  }

  @Test
  void anOtherOptionMayBeGivenOnlyOnce() {
    assertThat(usageError("in", "nm", "-o", "x", "--output", "y"))
        .hasMessage("option '--output' (OUT) should be specified only once");
    assertThat(usageError("in", "nm", "-o", "x", "--json", "--json"))
        .hasMessage("option '--json' should be specified only once");
  }

  @Test
  void doubleDashEndsTheOptions() {
    Copy copy = parse("-o", "x", "--", "--json", "-q");

    assertThat(copy.input).isEqualTo("--json");
    assertThat(copy.name).isEqualTo("-q");
    assertThat(copy.json).isFalse();
    assertThat(copy.quiet).isFalse();
  }

  @Test
  void defaultsApplyOnlyToOptionsNotGivenAndAfterTheOthers() {
    Copy defaults = parse("in", "nm", "-o", "x");
    assertThat(defaults.size).isEqualTo(4096);
    assertThat(defaults.suffix).isEqualTo("-copy");
    assertThat(defaults.page).isEqualTo(100);
    assertThat(defaults.calls).containsExactly("INPUT=in", "NAME=nm", "--output=x", "--size=4096", "--suffix=-copy",
        "--page=100");

    Copy given = parse("in", "nm", "-o", "x", "--size", "7");
    assertThat(given.calls).containsOnlyOnce("--size=7").doesNotContain("--size=4096");
  }

  @Test
  void aHiddenOptionWorks() {
    assertThat(parse("in", "nm", "-o", "x", "--page", "5").page).isEqualTo(5);
  }

  @Test
  void aValueMayStartWithADashUnlessItIsAnOption() {
    assertThat(parse("in", "nm", "-o", "x", "--suffix", "-soci").suffix).isEqualTo("-soci");
    assertThat(parse("in", "nm", "-o", "x", "--suffix", "-").suffix).isEqualTo("-");
    assertThat(parse("in", "nm", "-o", "-x").output).isEqualTo("-x");
    assertThat(parse("in", "nm", "-o", "x", "--suffix", "--unknown").suffix).isEqualTo("--unknown");

    assertThat(usageError("in", "nm", "-o", "x", "--suffix", "--json"))
        .hasMessage("Expected parameter for option '--suffix' but found '--json'");
    assertThat(usageError("in", "nm", "-o", "x", "--suffix=--size=3"))
        .hasMessage("Expected parameter for option '--suffix' but found '--size=3'");
    assertThat(usageError("in", "nm", "-o", "-q"))
        .hasMessage("Expected parameter for option '--output' but found '-q'");
    assertThat(usageError("in", "nm", "-o", "-qfoo"))
        .hasMessage("Expected parameter for option '--output' but found '-qfoo'");
    assertThat(usageError("in", "nm", "-o", "--"))
        .hasMessage("Expected parameter for option '--output' but found '--'");
  }

  @Test
  void aLoneDashAndNegativeNumbersAreParameters() {
    Copy copy = parse("-", "-5", "-o", "x");
    assertThat(copy.input).isEqualTo("-");
    assertThat(copy.name).isEqualTo("-5");
    assertThat(parse("-1.5", "-0x10", "-o", "x").name).isEqualTo("-0x10");
  }

  @Test
  void anOptionWithoutItsValue() {
    assertThat(usageError("in", "nm", "-o", "x", "--size"))
        .hasMessage("Missing required parameter for option '--size' (BYTES)");
    assertThat(usageError("in", "nm", "-o")).hasMessage("Missing required parameter for option '--output' (OUT)");
  }

  @Test
  void missingParametersAndOptions() {
    assertThat(usageError("in", "-o", "x")).hasMessage("Missing required parameter: 'NAME'");
    assertThat(usageError("-o", "x")).hasMessage("Missing required parameters: 'INPUT', 'NAME'");
    // The parameters are reported first, as they were.
    assertThat(usageError()).hasMessage("Missing required parameters: 'INPUT', 'NAME'");
    assertThat(usageError("in", "nm")).hasMessage("Missing required option: '--output=OUT'");
  }

  @Test
  void unknownOptionsAndArgumentsLeftOver() {
    UsageException unknown = usageError("in", "nm", "-o", "x", "--jsn");
    assertThat(unknown).hasMessage("Unknown option: '--jsn'");
    assertThat(unknown.hint()).isEqualTo("Possible solutions: --json");

    UsageException two = usageError("--foo", "-z", "in", "nm", "-o", "x");
    assertThat(two).hasMessage("Unknown options: '--foo', '-z'");
    assertThat(two.hint()).isNull();

    assertThat(usageError("in", "nm", "extra", "-o", "x")).hasMessage("Unmatched argument at index 2: 'extra'");
    assertThat(usageError("in", "nm", "a", "b", "-o", "x")).hasMessage("Unmatched arguments from index 2: 'a', 'b'");
    // Left over after "--": looks like an option, so reported as one.
    assertThat(usageError("in", "nm", "-o", "x", "--", "-b")).hasMessage("Unknown option: '-b'");
    // A cluster with an unknown letter is unknown as a whole.
    assertThat(usageError("in", "nm", "-o", "x", "-qz")).hasMessage("Unknown option: '-qz'");
  }

  @Test
  void suggestionsAreTheVisibleNamesSharingTheFirstTwoLetters() {
    assertThat(usageError("in", "nm", "-o", "x", "--pl").hint()).isEqualTo("Possible solutions: --platform");
    assertThat(usageError("in", "nm", "-o", "x", "--s").hint()).isEqualTo("Possible solutions: --size, --suffix");
    assertThat(usageError("in", "nm", "-o", "x", "--pa").hint()).as("hidden --page").isNull();
  }

  @Test
  void invalidValues() {
    assertThat(usageError("in", "nm", "-o", "x", "--size", "abc"))
        .hasMessage("Invalid value for option '--size': 'abc' is not a long");
    assertThat(usageError("in", "nm", "-o", "x", "--size=0x10"))
        .hasMessage("Invalid value for option '--size': '0x10' is not a long");
    assertThat(usageError("in", "nm", "-o", "x", "--page", "1.5"))
        .hasMessage("Invalid value for option '--page': '1.5' is not an int");
    assertThat(usageError("in", "nm", "-o", "x", "--mode", "Fast"))
        .hasMessage("Invalid value for option '--mode': expected one of [fast, safe] (case-sensitive) but was 'Fast'");
    assertThat(parse("in", "nm", "-o", "x", "--mode", "safe").mode).isEqualTo("safe");
    assertThat(parse("in", "nm", "-o", "x", "--size", "+5").size).isEqualTo(5);
  }

  @Test
  void runsTheNamedCommandBuildingOnlyIt() throws Exception {
    Run r = execute("copy", "in", "nm", "-o", "x");

    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).isEqualTo("copied" + NL);
    assertThat(r.err()).isEmpty();
    assertThat(r.tool().built).containsExactly("copy");
    assertThat(r.tool().copy.ran).isTrue();
    assertThat(r.tool().copy.output).isEqualTo("x");
  }

  @Test
  void helpGoesToStdoutWithExitCodeZeroOnEveryCommand() throws Exception {
    for (String[] args : new String[][] {{"--help"}, {"-h"}, {"help"}}) {
      Run r = execute(args);
      assertThat(r.exitCode()).isZero();
      assertThat(r.out()).startsWith("Usage: tool [-hV] [COMMAND]" + NL);
      assertThat(r.err()).isEmpty();
    }
    for (String[] args : new String[][] {{"copy", "--help"}, {"copy", "-h"}, {"help", "copy"}, {"copy", "-qh"},
        {"copy", "--help", "--unknown", "extra"}, {"copy", "-o", "x", "-h"}}) {
      Run r = execute(args);
      assertThat(r.exitCode()).as(String.join(" ", args)).isZero();
      assertThat(r.out()).as(String.join(" ", args)).startsWith("Usage: tool copy [-hqV] ");
      assertThat(r.tool().copy == null || !r.tool().copy.ran).isTrue();
    }
    Run nested = execute("list", "copy", "--help");
    assertThat(nested.exitCode()).isZero();
    assertThat(nested.out()).startsWith("Usage: tool list copy [-hqV] ");
  }

  @Test
  void helpNamesTheCommandsOfAGroupAndAnUnknownOneIsAUsageError() throws Exception {
    Run r = execute("help", "list", "copy");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).startsWith("Usage: tool list copy ");

    Run extra = execute("help", "copy", "extra");
    assertThat(extra.out()).startsWith("Usage: tool copy ");

    Run unknown = execute("help", "nosuch");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.out()).isEmpty();
    assertThat(unknown.err()).startsWith("Unknown subcommand 'nosuch'." + NL + "Usage: tool [-hV] [COMMAND]" + NL);
  }

  @Test
  void theVersionIsTheRootsOnEveryCommand() throws Exception {
    for (String[] args : new String[][] {{"--version"}, {"-V"}, {"copy", "-V"}, {"list", "copy", "--version"}}) {
      Run r = execute(args);
      assertThat(r.exitCode()).isZero();
      assertThat(r.out()).isEqualTo("tool 1.2.3" + NL);
    }
  }

  @Test
  void aUsageErrorIsTheMessageThenTheUsageOfTheCommandOnStderr() throws Exception {
    Run r = execute("copy", "in", "nm", "-o", "x", "--size", "abc");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEqualTo("Invalid value for option '--size': 'abc' is not a long" + NL
        + Help.usage(new Copy(), "tool copy"));
    assertThat(r.tool().copy.ran).isFalse();
  }

  @Test
  void aSuggestionReplacesTheUsage() throws Exception {
    Run option = execute("copy", "in", "nm", "-o", "x", "--jsn");
    assertThat(option.exitCode()).isEqualTo(2);
    assertThat(option.err()).isEqualTo("Unknown option: '--jsn'" + NL + "Possible solutions: --json" + NL);

    Run command = execute("cpy");
    assertThat(command.exitCode()).isEqualTo(2);
    assertThat(command.err()).isEqualTo("Unmatched argument at index 0: 'cpy'" + NL + "Did you mean: tool copy?" + NL);

    Run nothingClose = execute("zzz");
    assertThat(nothingClose.err()).startsWith("Unmatched argument at index 0: 'zzz'" + NL + "Usage: tool ");
  }

  @Test
  void aUsageErrorOfTheCommandItselfShowsItsUsage() throws Exception {
    Tool tool = new Tool();
    tool.copyFailure = new UsageException("--size must be positive");
    Run r = execute(tool, "copy", "in", "nm", "-o", "x");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("--size must be positive" + NL + Help.usage(new Copy(), "tool copy"));
  }

  @Test
  void otherFailuresOfTheCommandGoToTheCaller() {
    Tool tool = new Tool();
    tool.copyFailure = new IllegalStateException("boom");

    assertThatThrownBy(() -> execute(tool, "copy", "in", "nm", "-o", "x"))
        .isInstanceOf(IllegalStateException.class).hasMessage("boom");
  }

  @Test
  void aGroupWithoutACommandRunsItself() throws Exception {
    Run root = execute();
    assertThat(root.exitCode()).isEqualTo(2);
    assertThat(root.err()).startsWith("missing command" + NL + "Usage: tool [-hV] [COMMAND]" + NL);
    assertThat(root.tool().copy.ran).as("built only for the list of commands").isFalse();

    Run group = execute("list");
    assertThat(group.exitCode()).isEqualTo(2);
    assertThat(group.err()).startsWith("missing subcommand" + NL + "Usage: tool list [-hV] [COMMAND]" + NL);
  }

  @Test
  void aSubcommandNameAfterDoubleDashIsAnArgument() throws Exception {
    Run r = execute("--", "copy");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("Unmatched argument at index 1: 'copy'" + NL + "Did you mean: tool copy?" + NL);
    assertThat(r.tool().built).isEmpty();
  }

  @Test
  void similarityCountsSharedLetterPairs() {
    assertThat(Cli.similarity("copy", "copy")).isEqualTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(Cli.similarity("zzz", "copy")).isZero();
    assertThat(Cli.similarity("indx", "index")).isGreaterThan(Cli.similarity("indx", "inspect")).isPositive();
  }
}
