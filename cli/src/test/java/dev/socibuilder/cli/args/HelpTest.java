package dev.socibuilder.cli.args;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socibuilder.cli.args.FakeCommands.Copy;
import dev.socibuilder.cli.args.FakeCommands.Tool;
import java.util.List;
import org.junit.jupiter.api.Test;

class HelpTest {
  private static final String NL = System.lineSeparator();

  private static final String COPY = Help.usage(new Copy(), "tool copy");

  @Test
  void theSynopsisClustersShortFlagsThenListsFlagsOptionsRepeatablesAndParameters() {
    assertThat(COPY).startsWith("Usage: tool copy [-hqV] [--json] [--mode=fast|safe] -o=OUT [--size=BYTES]" + NL
        + "                 [--suffix=SUFFIX] [--platform=OS/ARCH]... INPUT NAME" + NL);
  }

  @Test
  void everyParagraphOfTheDescriptionFollowsWrapped() {
    assertThat(COPY).contains(NL + "Copies INPUT to NAME." + NL
        + "A second paragraph, long enough to be wrapped: it goes on and on about what the" + NL
        + "command does, well past the eightieth column." + NL);
  }

  @Test
  void everyVisibleOptionAndParameterIsListedWithLabelAndDescriptionSortedByName() {
    assertThat(COPY).contains(NL
        + "      INPUT                What to copy." + NL
        + "      NAME                 The copy's name." + NL
        + "  -h, --help               Show this help message and exit." + NL
        + "      --json               Print JSON." + NL
        + "      --mode=fast|safe     How to copy." + NL
        + "  -o, --output=OUT         Where to write." + NL
        + "      --platform=OS/ARCH   Only this platform (repeatable)." + NL
        + "  -q, --quiet              Print nothing." + NL
        + "      --size=BYTES         Bytes per block (default: 4096)." + NL
        + "      --suffix=SUFFIX      Appended to the name (default: -copy)." + NL
        + "  -V, --version            Print version information and exit." + NL);
  }

  @Test
  void aHiddenOptionIsLeftOut() {
    assertThat(COPY).doesNotContain("--page").doesNotContain("Names per page");
  }

  @Test
  void aGroupListsItsCommandsWithTheFirstParagraphOfTheirDescription() {
    assertThat(Help.usage(new Tool(), "tool")).isEqualTo("Usage: tool [-hV] [COMMAND]" + NL
        + "Does things." + NL
        + "  -h, --help      Show this help message and exit." + NL
        + "  -V, --version   Print version information and exit." + NL
        + "Commands:" + NL
        + "  copy  Copies INPUT to NAME." + NL
        + "  list  Lists things." + NL
        + "  help  Display help information about the specified command." + NL);
  }

  @Test
  void aNameLongerThanTwentyGetsItsOwnLine() {
    assertThat(Help.usage(new Copy(), "tool copy")).doesNotContain("--platform=OS/ARCH" + NL);
    CommandSpec spec = CommandSpec.of("long", List.of("Long."),
        List.of(Option.of("--compression", "gzip|uncompressed", "How the layer is stored.")), List.of());

    assertThat(Help.usage(command(spec), "long")).contains(NL
        + "      --compression=gzip|uncompressed" + NL
        + "                  How the layer is stored." + NL
        + "  -h, --help      Show this help message and exit." + NL);
  }

  private static Command command(CommandSpec spec) {
    return new Command() {
      @Override
      public CommandSpec spec() {
        return spec;
      }

      @Override
      public int run(Streams streams) {
        return 0;
      }
    };
  }

  @Test
  void descriptionsWrapAtSpacesWithinEightyColumnsTwoFurtherIn() {
    CommandSpec spec = CommandSpec.of("long", List.of("Long."),
        List.of(Option.of("--limits", "NAME=VALUE", "Limits of one build: toc-entries (tar entries), "
            + "xattr-bytes (PAX record bytes), sizes may end in KiB, MiB or GiB (default: "
            + "toc-entries=4194304,xattr-bytes=256MiB,ztoc-bytes=512MiB,min-span-size=1024).")),
        List.of());
    String usage = Help.usage(command(spec), "long");

    assertThat(usage).contains(NL
        + "      --limits=NAME=VALUE   Limits of one build: toc-entries (tar entries)," + NL
        + "                              xattr-bytes (PAX record bytes), sizes may end in" + NL
        + "                              KiB, MiB or GiB (default: toc-entries=4194304," + NL
        + "                              xattr-bytes=256MiB,ztoc-bytes=512MiB," + NL
        + "                              min-span-size=1024)." + NL);
    for (String line : usage.split(NL)) {
      assertThat(line.length()).as(line).isLessThanOrEqualTo(80);
    }
  }

  private static java.util.List<String> List_of(String s) {
    return List.of(s);
  }
}
