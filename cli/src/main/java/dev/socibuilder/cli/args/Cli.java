package dev.socibuilder.cli.args;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parses a command line against a root {@link Command} and runs the command it names: help and version requests print to {@code out} (exit 0); a usage error prints its
 * message and the usage (or suggestions) to {@code err} (exit 2); the command's own exit code otherwise.
 *
 * <p>What it accepts: options before, between and after positional parameters; {@code --name value} and
 * {@code --name=value}; {@code -o value}, {@code -o=value}, {@code -ovalue} and clustered flags ({@code -hV});
 * {@code --} ending the options; a subcommand's name where its group's arguments are. An option's value may
 * start with {@code -} unless it is one of the command's options ({@code --tag-suffix -soci} is a value,
 * {@code --tag-suffix --json} is a usage error).
 */
public final class Cli {
  /** Every command's {@code -h}/{@code --help}. */
  static final Option HELP = Option.flag("--help", "Show this help message and exit.").withShortName("-h");

  /** Every command's {@code -V}/{@code --version}: the root command's {@link Command#version()}. */
  static final Option VERSION = Option.flag("--version", "Print version information and exit.").withShortName("-V");

  private final Command root;
  private final String[] args;
  /** The root, then each subcommand named. */
  private final List<Level> chain = new ArrayList<>(3);
  /** The command the arguments are being taken for, whose usage a usage error shows. */
  private Level current;

  private Cli(Command root, String[] args) {
    this.root = root;
    this.args = args;
  }

  /**
   * Parses {@code args} and runs the command they name.
   *
   * @return the exit code: 0 after help or the version, 2 after a usage error, else the command's
   * @throws Exception what the command's {@link Command#run} throws, but for a {@link UsageException}
   */
  public static int execute(Command root, Streams streams, String... args) throws Exception {
    Cli cli = new Cli(root, args);
    try {
      cli.parse();
      for (Level level : cli.chain) {
        if (level.help) {
          streams.out().print(Help.usage(level.command, level.qualifiedName()));
          streams.out().flush();
          return 0;
        }
        if (level.version) {
          streams.out().println(root.version());
          streams.out().flush();
          return 0;
        }
      }
      cli.validate();
      return cli.current.command.run(streams);
    } catch (UsageException e) {
      PrintWriter err = streams.err();
      err.println(e.getMessage());
      if (e.hint() != null) {
        err.println(e.hint());
      } else {
        err.print(Help.usage(cli.current.command, cli.current.qualifiedName()));
      }
      err.flush();
      return 2;
    }
  }

  /**
   * Sets {@code args} into {@code root} and the subcommands they name, checks them and applies the defaults, as
   * {@link #execute} does before running; help and version options are taken but not acted on.
   *
   * @return the command that would run
   * @throws UsageException if the arguments do not fit
   */
  public static Command parse(Command root, String... args) {
    Cli cli = new Cli(root, args);
    cli.parse();
    cli.validate();
    return cli.current.command;
  }

  private void parse() {
    current = new Level(root, null, args);
    chain.add(current);
    boolean endOfOptions = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      Level level = current;
      if (!endOfOptions) {
        if (arg.equals("--")) {
          endOfOptions = true;
          continue;
        }
        if (level.spec.subcommands().contains(arg)) {
          Command sub = level.command.subcommand(arg);
          if (sub == null) {
            throw new IllegalStateException("no subcommand " + arg + " in " + level.qualifiedName());
          }
          current = new Level(sub, level, args);
          chain.add(current);
          continue;
        }
        if (arg.length() > 1 && arg.charAt(0) == '-') {
          int last = arg.charAt(1) == '-' ? level.longOption(i) : level.shortOptions(i);
          if (last >= 0) {
            i = last;
            continue;
          }
        }
      }
      level.positional(arg, i, endOfOptions);
    }
  }

  /** Checks what was given (first what is missing, then what is left over) and applies the defaults. */
  private void validate() {
    for (Level level : chain) {
      current = level;
      level.checkRequired();
    }
    for (Level level : chain) {
      current = level;
      level.checkUnmatched();
    }
    for (Level level : chain) {
      current = level;
      level.applyDefaults();
    }
  }

  /**
   * Whether an argument that is not one of the command's options looks like an option (then it is an unknown
   * option, not a positional parameter): a dash and more, but not a negative number; {@code -} alone is a
   * parameter (standard input, by convention).
   */
  static boolean resemblesOption(String arg) {
    if (arg.length() < 2 || arg.charAt(0) != '-') {
      return false;
    }
    try {
      Long.decode(arg);
      return false;
    } catch (NumberFormatException e) {
      // not an integer
    }
    try {
      Double.parseDouble(arg);
      return false;
    } catch (NumberFormatException e) {
      return true;
    }
  }

  /** What was given to one command of the chain. */
  private static final class Level {
    final Command command;
    final CommandSpec spec;
    final Level parent;
    /** The whole command line (the unmatched arguments are indexes into it). */
    final String[] args;
    /** Every option (and {@link #HELP}, {@link #VERSION}) by each of its names. */
    final Map<String, Option> byName = new HashMap<>();
    /** The options with a short name, by its letter. */
    final Map<Character, Option> byShort = new HashMap<>();
    /** {@link #HELP}, {@link #VERSION}, then the command's options: the order suggestions list them in. */
    final List<Option> options = new ArrayList<>();
    /** The names of the options given (records' hash codes would cost their bootstrap at start-up). */
    final Set<String> given = new HashSet<>();
    /** Indexes of the arguments that fit nowhere. */
    final List<Integer> unmatched = new ArrayList<>(0);
    /** The positional parameters filled (a repeatable one stays current). */
    int filled;
    boolean help;
    boolean version;

    Level(Command command, Level parent, String[] args) {
      this.command = command;
      this.spec = command.spec();
      this.parent = parent;
      this.args = args;
      add(HELP);
      add(VERSION);
      for (Option o : spec.options()) {
        add(o);
      }
    }

    private void add(Option o) {
      options.add(o);
      put(o.name(), o);
      if (o.shortName() != null) {
        put(o.shortName(), o);
        byShort.put(o.shortName().charAt(1), o);
      }
    }

    private void put(String name, Option o) {
      if (byName.put(name, o) != null) {
        throw new IllegalStateException("option " + name + " twice in " + spec.name());
      }
    }

    String qualifiedName() {
      return parent == null ? spec.name() : parent.qualifiedName() + " " + spec.name();
    }

    /**
     * Takes {@code --name} or {@code --name=value} at {@code args[i]}.
     *
     * @return the index of the last argument taken, or -1 if it is not one of this command's options
     */
    int longOption(int i) {
      String arg = args[i];
      int eq = arg.indexOf('=');
      Option o = byName.get(eq < 0 ? arg : arg.substring(0, eq));
      if (o == null) {
        return -1;
      }
      if (o.isFlag()) {
        take(o, eq < 0 ? "true" : flagValue(o, arg.substring(eq + 1)));
        return i;
      }
      if (eq >= 0) {
        take(o, value(o, arg.substring(eq + 1)));
        return i;
      }
      if (i + 1 >= args.length) {
        throw missingValue(o);
      }
      take(o, value(o, args[i + 1]));
      return i + 1;
    }

    /**
     * Takes {@code -o}, {@code -o value}, {@code -o=value}, {@code -ovalue} or clustered flags ({@code -hV},
     * also ending in an option with a value, {@code -ho value}) at {@code args[i]}.
     *
     * @return the index of the last argument taken, or -1 if it is not one of this command's options
     */
    int shortOptions(int i) {
      String arg = args[i];
      for (int j = 1; j < arg.length(); j++) {
        Option o = byShort.get(arg.charAt(j));
        if (o == null) {
          if (j == 1) {
            return -1;
          }
          unmatched.add(i); // the flags before stay taken (-hx still shows the help)
          return i;
        }
        if (o.isFlag()) {
          take(o, "true");
        } else if (j + 1 < arg.length()) {
          take(o, value(o, arg.substring(arg.charAt(j + 1) == '=' ? j + 2 : j + 1)));
          return i;
        } else if (i + 1 >= args.length) {
          throw missingValue(o);
        } else {
          take(o, value(o, args[i + 1]));
          return i + 1;
        }
      }
      return i;
    }

    /** Takes an argument that is no option: the next positional parameter, else left over. */
    void positional(String arg, int i, boolean endOfOptions) {
      List<Positional> positionals = spec.positionals();
      if ((!endOfOptions && resemblesOption(arg)) || filled >= positionals.size()) {
        unmatched.add(i);
        return;
      }
      Positional p = positionals.get(filled);
      try {
        command.set(p.label(), arg);
      } catch (IllegalArgumentException e) {
        throw new UsageException("Invalid value for positional parameter at index " + filled + " (" + p.label()
            + "): " + e.getMessage());
      }
      if (!p.repeatable()) {
        filled++;
      }
    }

    private void take(Option o, String value) {
      if (o == HELP) {
        help = Boolean.parseBoolean(value);
        return;
      }
      if (o == VERSION) {
        version = Boolean.parseBoolean(value);
        return;
      }
      if (!given.add(o.name()) && !o.repeatable()) {
        throw new UsageException(o.isFlag()
            ? "option '" + o.name() + "' should be specified only once"
            : "option '" + o.name() + "' (" + o.label() + ") should be specified only once");
      }
      try {
        command.set(o.name(), value);
      } catch (IllegalArgumentException e) {
        throw invalid(o, e.getMessage());
      }
    }

    private static String flagValue(Option o, String value) {
      try {
        return Values.toBoolean(value) ? "true" : "false";
      } catch (IllegalArgumentException e) {
        throw invalid(o, e.getMessage());
      }
    }

    private static UsageException invalid(Option o, String why) {
      return new UsageException("Invalid value for option '" + o.name() + "': " + why);
    }

    /** {@code value} for {@code o}, unless it is one of the options (then the option's value is missing). */
    private String value(Option o, String value) {
      if (isOption(value)) {
        throw new UsageException("Expected parameter for option '" + o.name() + "' but found '" + value + "'");
      }
      return value;
    }

    /** {@code --}, an option's name, {@code NAME=...}, or a cluster starting with a short name. */
    private boolean isOption(String arg) {
      if (arg.equals("--") || byName.containsKey(arg)) {
        return true;
      }
      int eq = arg.indexOf('=');
      if (eq > 0 && byName.containsKey(arg.substring(0, eq))) {
        return true;
      }
      return arg.length() > 2 && arg.charAt(0) == '-' && byShort.containsKey(arg.charAt(1));
    }

    private static UsageException missingValue(Option o) {
      return new UsageException("Missing required parameter for option '" + o.name() + "' (" + o.label() + ")");
    }

    void checkRequired() {
      List<String> missing = new ArrayList<>();
      List<Positional> positionals = spec.positionals();
      for (int k = filled; k < positionals.size(); k++) {
        if (positionals.get(k).required()) {
          missing.add(positionals.get(k).label());
        }
      }
      if (!missing.isEmpty()) {
        throw new UsageException("Missing required parameter" + (missing.size() > 1 ? "s: " : ": ") + quoted(missing));
      }
      for (Option o : spec.options()) {
        if (o.required() && !given.contains(o.name())) {
          missing.add(o.name() + "=" + o.label());
        }
      }
      if (!missing.isEmpty()) {
        throw new UsageException("Missing required option" + (missing.size() > 1 ? "s: " : ": ") + quoted(missing));
      }
    }

    void checkUnmatched() {
      if (unmatched.isEmpty()) {
        return;
      }
      List<String> values = new ArrayList<>();
      for (int i : unmatched) {
        values.add(args[i]);
      }
      String first = values.get(0);
      String plural = values.size() > 1 ? "s" : "";
      if (resemblesOption(first)) {
        throw new UsageException("Unknown option" + plural + ": " + quoted(values), optionSuggestions(first));
      }
      throw new UsageException("Unmatched argument" + plural + (values.size() > 1 ? " from" : " at") + " index "
          + unmatched.get(0) + ": " + quoted(values), subcommandSuggestions(first));
    }

    void applyDefaults() {
      for (Option o : spec.options()) {
        if (o.defaultValue() != null && !given.contains(o.name())) {
          command.set(o.name(), o.defaultValue());
        }
      }
    }

    /** The visible option names starting as the unknown one does (its first two letters). */
    private String optionSuggestions(String arg) {
      String stripped = stripDashes(arg);
      String prefix = stripped.substring(0, Math.min(2, stripped.length()));
      List<String> names = new ArrayList<>();
      for (Option o : options) {
        if (o.hidden()) {
          continue;
        }
        if (o.shortName() != null && stripDashes(o.shortName()).startsWith(prefix)) {
          names.add(o.shortName());
        }
        if (stripDashes(o.name()).startsWith(prefix)) {
          names.add(o.name());
        }
      }
      return names.isEmpty() ? null : "Possible solutions: " + String.join(", ", names);
    }

    /** Up to three subcommands whose names share letter pairs with the word, the closest first. */
    private String subcommandSuggestions(String word) {
      List<String> names = new ArrayList<>();
      List<Double> scores = new ArrayList<>();
      for (String name : spec.subcommands()) {
        double score = similarity(word.toLowerCase(Locale.ROOT), name.toLowerCase(Locale.ROOT));
        if (score > 0) {
          int at = 0;
          while (at < scores.size() && scores.get(at) >= score) {
            at++;
          }
          scores.add(at, score);
          names.add(at, name);
        }
      }
      if (names.isEmpty()) {
        return null;
      }
      StringBuilder sb = new StringBuilder("Did you mean: ");
      for (int k = 0; k < Math.min(3, names.size()); k++) {
        sb.append(k > 0 ? " or " : "").append(qualifiedName()).append(' ').append(names.get(k));
      }
      return sb.append('?').toString();
    }
  }

  private static String stripDashes(String name) {
    int i = 0;
    while (i < name.length() && name.charAt(i) == '-') {
      i++;
    }
    return name.substring(i);
  }

  /** The cosine similarity of the two words' letter pairs (0 if they share none). */
  static double similarity(String a, String b) {
    Map<String, Integer> pa = pairs(a);
    Map<String, Integer> pb = pairs(b);
    double dot = dot(pa, pb);
    return dot == 0 ? 0 : dot / Math.sqrt(dot(pa, pa) * dot(pb, pb));
  }

  private static Map<String, Integer> pairs(String s) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i + 2 <= s.length(); i++) {
      String pair = s.substring(i, i + 2);
      counts.put(pair, counts.getOrDefault(pair, 0) + 1);
    }
    return counts;
  }

  private static double dot(Map<String, Integer> a, Map<String, Integer> b) {
    double sum = 0;
    for (Map.Entry<String, Integer> e : a.entrySet()) {
      sum += e.getValue() * b.getOrDefault(e.getKey(), 0);
    }
    return sum;
  }

  private static String quoted(List<String> values) {
    StringBuilder sb = new StringBuilder();
    for (String v : values) {
      sb.append(sb.length() > 0 ? ", '" : "'").append(v).append('\'');
    }
    return sb.toString();
  }
}
