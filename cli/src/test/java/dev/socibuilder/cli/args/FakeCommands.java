package dev.socibuilder.cli.args;

import java.util.ArrayList;
import java.util.List;

/** Commands for the parser's tests: one with every kind of option, and a group of it. */
final class FakeCommands {
  private FakeCommands() {}

  /** {@code copy INPUT NAME}: every kind of option, recording what it is given. */
  static final class Copy implements Command {
    static final CommandSpec SPEC = CommandSpec.of("copy",
        List.of("Copies INPUT to NAME.", "A second paragraph, long enough to be wrapped: it goes on and on about "
            + "what the command does, well past the eightieth column."),
        List.of(
            Option.of("--output", "OUT", "Where to write.").withShortName("-o").asRequired(),
            Option.of("--size", "BYTES", "Bytes per block (default: ${DEFAULT-VALUE}).").withDefault("4096"),
            Option.of("--suffix", "SUFFIX", "Appended to the name (default: ${DEFAULT-VALUE}).").withDefault("-copy"),
            Option.of("--platform", "OS/ARCH", "Only this platform (repeatable).").asRepeatable(),
            Option.flag("--json", "Print JSON."),
            Option.flag("--quiet", "Print nothing.").withShortName("-q"),
            Option.of("--mode", "fast|safe", "How to copy."),
            Option.of("--page", "N", "Names per page (default: ${DEFAULT-VALUE}).").withDefault("100").asHidden()),
        List.of(Positional.of("INPUT", "What to copy."), Positional.of("NAME", "The copy's name.")));

    /** Each call of {@link #set}, as {@code key=value}. */
    final List<String> calls = new ArrayList<>();
    String input;
    String name;
    String output;
    long size;
    String suffix;
    final List<String> platforms = new ArrayList<>();
    boolean json;
    boolean quiet;
    String mode;
    int page;
    boolean ran;
    /** What {@link #run} throws, if anything. */
    RuntimeException failure;

    @Override
    public CommandSpec spec() {
      return SPEC;
    }

    @Override
    public void set(String key, String value) {
      calls.add(key + "=" + value);
      switch (key) {
        case "INPUT" -> input = value;
        case "NAME" -> name = value;
        case "--output" -> output = value;
        case "--size" -> size = Values.toLong(value);
        case "--suffix" -> suffix = value;
        case "--platform" -> platforms.add(value);
        case "--json" -> json = Boolean.parseBoolean(value);
        case "--quiet" -> quiet = Boolean.parseBoolean(value);
        case "--mode" -> mode = switch (value) {
          case "fast", "safe" -> value;
          default -> throw Values.notOneOf(value, "fast", "safe");
        };
        case "--page" -> page = Values.toInt(value);
        default -> Command.super.set(key, value);
      }
    }

    @Override
    public int run(Streams streams) {
      ran = true;
      if (failure != null) {
        throw failure;
      }
      streams.out().println("copied");
      return 0;
    }
  }

  /** {@code tool}: a root with {@code copy}, {@code list} and {@code help}, counting the commands it builds. */
  static final class Tool implements Command {
    static final CommandSpec SPEC = CommandSpec.group("tool", List.of("Does things."),
        List.of("copy", "list", HelpCommand.NAME));

    final List<String> built = new ArrayList<>();
    Copy copy;
    /** What the {@code copy} it builds throws when it runs, if anything. */
    RuntimeException copyFailure;

    @Override
    public CommandSpec spec() {
      return SPEC;
    }

    @Override
    public Command subcommand(String name) {
      built.add(name);
      return switch (name) {
        case "copy" -> {
          copy = new Copy();
          copy.failure = copyFailure;
          yield copy;
        }
        case "list" -> new Group();
        case HelpCommand.NAME -> new HelpCommand(this);
        default -> null;
      };
    }

    @Override
    public String version() {
      return "tool 1.2.3";
    }

    @Override
    public int run(Streams streams) {
      throw new UsageException("missing command");
    }
  }

  /** {@code list}: a group with one subcommand, {@code copy}. */
  static final class Group implements Command {
    static final CommandSpec SPEC = CommandSpec.group("list", List.of("Lists things."), List.of("copy"));

    @Override
    public CommandSpec spec() {
      return SPEC;
    }

    @Override
    public Command subcommand(String name) {
      return name.equals("copy") ? new Copy() : null;
    }

    @Override
    public int run(Streams streams) {
      throw new UsageException("missing subcommand");
    }
  }
}
