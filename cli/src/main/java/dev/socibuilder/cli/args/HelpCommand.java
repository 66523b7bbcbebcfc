package dev.socibuilder.cli.args;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code help [COMMAND [SUBCOMMAND]]}: the usage help of the root, a command or a subcommand, on standard
 * output. Words after the deepest command named are ignored, as the previous parser's help command ignored them.
 */
public final class HelpCommand implements Command {
  /** Its name, under which a root offers it. */
  public static final String NAME = "help";

  private static final CommandSpec SPEC = CommandSpec.of(NAME,
      List.of("Display help information about the specified command.",
          "When no COMMAND is given, the usage help for the main command is displayed. If a COMMAND is specified, "
              + "the help for that command is shown."),
      List.of(),
      List.of(Positional.optionalList("COMMAND", "The COMMAND (and SUBCOMMAND) to display the usage help for.")));

  private final Command root;
  private final List<String> names = new ArrayList<>(2);

  /** The help command of {@code root}. */
  public HelpCommand(Command root) {
    this.root = root;
  }

  @Override
  public CommandSpec spec() {
    return SPEC;
  }

  @Override
  public void set(String key, String value) {
    names.add(value);
  }

  @Override
  public int run(Streams streams) {
    Command target = root;
    StringBuilder name = new StringBuilder(root.spec().name());
    for (int i = 0; i < names.size(); i++) {
      String word = names.get(i);
      Command sub = target.spec().subcommands().contains(word) ? target.subcommand(word) : null;
      if (sub == null) {
        if (i > 0) {
          break;
        }
        // As before: the message and the root's usage on stderr, a usage error.
        streams.err().println("Unknown subcommand '" + word + "'.");
        streams.err().print(Help.usage(root, root.spec().name()));
        streams.err().flush();
        return 2;
      }
      target = sub;
      name.append(' ').append(word);
    }
    streams.out().print(Help.usage(target, name.toString()));
    streams.out().flush();
    return 0;
  }
}
