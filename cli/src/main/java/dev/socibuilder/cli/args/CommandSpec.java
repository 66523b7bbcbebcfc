package dev.socibuilder.cli.args;

import java.util.List;

/**
 * What a command takes.
 *
 * @param name the command's name ({@code index}; for the root, the program's)
 * @param description paragraphs for the help; the first also describes the command in its parent's list
 * @param options the options, in the order suggestions list them ({@code --help} and {@code --version} are
 *     added to every command)
 * @param positionals the positional parameters, in order
 * @param subcommands the names of the subcommands, in the order help lists them (none but for a group)
 */
public record CommandSpec(
    String name, List<String> description, List<Option> options, List<Positional> positionals,
    List<String> subcommands) {

  public CommandSpec {
    description = List.copyOf(description);
    options = List.copyOf(options);
    positionals = List.copyOf(positionals);
    subcommands = List.copyOf(subcommands);
    if (description.isEmpty()) {
      throw new IllegalArgumentException("a command needs a description: " + name);
    }
    if (!subcommands.isEmpty() && !positionals.isEmpty()) {
      // A word could be either.
      throw new IllegalArgumentException("a group takes no positional parameters: " + name);
    }
  }

  /** A command with options and positional parameters. */
  public static CommandSpec of(String name, List<String> description, List<Option> options,
      List<Positional> positionals) {
    return new CommandSpec(name, description, options, positionals, List.of());
  }

  /** A group: a command that runs one of its subcommands. */
  public static CommandSpec group(String name, List<String> description, List<String> subcommands) {
    return new CommandSpec(name, description, List.of(), List.of(), subcommands);
  }
}
