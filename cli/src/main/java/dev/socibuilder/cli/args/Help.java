package dev.socibuilder.cli.args;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A command's usage help, laid out as it always was: the synopsis ({@code Usage: ...}), the
 * description, the positional parameters and the options (sorted by name, each with its description), and
 * for a group its commands. Text is wrapped at spaces to 80 columns.
 */
public final class Help {
  private Help() {}

  private static final int WIDTH = 80;

  /**
   * An option's {@code --name=LABEL} is lined up with the others if it is at most this long; a longer one
   * gets a line of its own.
   */
  private static final int ALIGNED_MAX = 20;

  private static final String NL = System.lineSeparator();

  /** The usage help of {@code command}, whose full name (e.g. {@code soci-builder ztoc create}) is given. */
  public static String usage(Command command, String qualifiedName) {
    CommandSpec spec = command.spec();
    StringBuilder sb = new StringBuilder(4096);
    synopsis(sb, spec, qualifiedName);
    for (String paragraph : spec.description()) {
      wrap(sb, paragraph, 0, 0);
    }
    parametersAndOptions(sb, spec);
    if (!spec.subcommands().isEmpty()) {
      commands(sb, command);
    }
    return sb.toString();
  }

  /** The options help shows: the visible ones, {@code -h} and {@code -V}, sorted by (short) name. */
  private static List<Option> visibleOptions(CommandSpec spec) {
    List<Option> options = new ArrayList<>();
    options.add(Cli.HELP);
    options.add(Cli.VERSION);
    for (Option o : spec.options()) {
      if (!o.hidden()) {
        options.add(o);
      }
    }
    // Insertion sort: a handful of options, and no comparator lambda to link at start-up.
    for (int i = 1; i < options.size(); i++) {
      Option o = options.get(i);
      int j = i;
      while (j > 0 && sortKey(options.get(j - 1)).compareTo(sortKey(o)) > 0) {
        options.set(j, options.get(j - 1));
        j--;
      }
      options.set(j, o);
    }
    return options;
  }

  /** The order: by the shortest name without its dashes, ignoring case ({@code -V} among the v's). */
  private static String sortKey(Option o) {
    String name = o.shortName() != null ? o.shortName() : o.name();
    int i = 0;
    while (i < name.length() && name.charAt(i) == '-') {
      i++;
    }
    return name.substring(i).toLowerCase(Locale.ROOT);
  }

  /**
   * {@code Usage: NAME [-hV] [--flag]... [--option=LABEL]... [--repeatable=LABEL]... PARAMETERS [COMMAND]}:
   * short flags clustered, then the other flags, the options with a value, the repeatable ones (each group in
   * help's order), the positional parameters; a required option without brackets.
   */
  private static void synopsis(StringBuilder sb, CommandSpec spec, String qualifiedName) {
    List<Option> options = visibleOptions(spec);
    List<String> items = new ArrayList<>();
    StringBuilder cluster = new StringBuilder();
    for (Option o : options) {
      if (o.isFlag() && o.shortName() != null) {
        cluster.append(o.shortName().charAt(1));
      }
    }
    if (cluster.length() > 0) {
      items.add(new StringBuilder("[-").append(cluster).append(']').toString());
    }
    for (Option o : options) {
      if (o.isFlag() && o.shortName() == null) {
        items.add(new StringBuilder("[").append(o.name()).append(']').toString());
      }
    }
    for (int pass = 0; pass < 2; pass++) {
      for (Option o : options) {
        if (!o.isFlag() && o.repeatable() == (pass == 1)) {
          StringBuilder item = new StringBuilder();
          item.append(o.shortName() != null ? o.shortName() : o.name()).append('=').append(o.label());
          if (!o.required()) {
            item.insert(0, '[').append(']');
          }
          items.add(o.repeatable() ? item.append("...").toString() : item.toString());
        }
      }
    }
    for (Positional p : spec.positionals()) {
      items.add(positionalText(p));
    }
    if (!spec.subcommands().isEmpty()) {
      items.add("[COMMAND]");
    }
    String head = new StringBuilder("Usage: ").append(qualifiedName).append(' ').toString();
    sb.append(head);
    wrap(sb, String.join(" ", items), head.length(), head.length());
  }

  private static String positionalText(Positional p) {
    if (!p.repeatable()) {
      return p.required() ? p.label() : new StringBuilder("[").append(p.label()).append(']').toString();
    }
    StringBuilder text = new StringBuilder(p.label()).append("...");
    return p.required() ? text.toString() : text.insert(0, '[').append(']').toString();
  }

  /**
   * The table of positional parameters, then options: {@code   -o, --output=OUT   Description...}, the
   * descriptions starting in one column, their lines continued two columns further in.
   */
  private static void parametersAndOptions(StringBuilder sb, CommandSpec spec) {
    List<String> names = new ArrayList<>();
    List<String> lefts = new ArrayList<>();
    List<String> descriptions = new ArrayList<>();
    for (Positional p : spec.positionals()) {
      String text = positionalText(p);
      names.add(text);
      lefts.add(new StringBuilder("      ").append(text).toString());
      descriptions.add(p.description());
    }
    for (Option o : visibleOptions(spec)) {
      StringBuilder name = new StringBuilder(o.name());
      if (!o.isFlag()) {
        name.append('=').append(o.label());
      }
      names.add(name.toString());
      StringBuilder left = new StringBuilder();
      if (o.shortName() != null) {
        left.append("  ").append(o.shortName()).append(", ");
      } else {
        left.append("      ");
      }
      lefts.add(left.append(name).toString());
      String description = o.description();
      if (o.defaultValue() != null) {
        description = description.replace("${DEFAULT-VALUE}", o.defaultValue());
      }
      descriptions.add(description);
    }
    int longest = 0;
    for (String name : names) {
      if (name.length() <= ALIGNED_MAX) {
        longest = Math.max(longest, name.length());
      }
    }
    // The columns: 6 for "  -o, ", the names, 3 more before the descriptions.
    int column = 6 + longest + 3;
    for (int i = 0; i < lefts.size(); i++) {
      String left = lefts.get(i);
      sb.append(left);
      if (left.length() < column) {
        pad(sb, column - left.length());
      } else {
        sb.append(NL);
        pad(sb, column);
      }
      wrap(sb, descriptions.get(i), column, column + 2);
    }
  }

  /** {@code Commands:} and each subcommand with the first paragraph of its description. */
  private static void commands(StringBuilder sb, Command group) {
    List<String> names = group.spec().subcommands();
    int longest = 0;
    for (String name : names) {
      longest = Math.max(longest, name.length());
    }
    int column = 2 + longest + 2;
    sb.append("Commands:").append(NL);
    for (String name : names) {
      Command sub = group.subcommand(name);
      sb.append("  ").append(name);
      pad(sb, column - 2 - name.length());
      wrap(sb, sub.spec().description().get(0), column, column + 2);
    }
  }

  /**
   * Appends {@code text} from {@code column} on, breaking lines at spaces and starting each further line at
   * {@code indent}; ends the line. A word followed by a space needs room for the space too (so
   * such lines end before column {@value #WIDTH}), and a word longer than a line is broken after its commas.
   */
  private static void wrap(StringBuilder sb, String text, int column, int indent) {
    // The pieces to place: words, and the comma-ended parts of words too long for a line.
    List<String> pieces = new ArrayList<>();
    List<Boolean> spaced = new ArrayList<>(); // whether a space separates the piece from the one before
    for (String word : text.split(" ")) {
      if (word.isEmpty()) {
        continue;
      }
      int start = 0;
      if (indent + word.length() + 1 > WIDTH) {
        for (int k = word.indexOf(','); k >= 0 && k + 1 < word.length(); k = word.indexOf(',', k + 1)) {
          pieces.add(word.substring(start, k + 1));
          spaced.add(start == 0);
          start = k + 1;
        }
      }
      pieces.add(word.substring(start));
      spaced.add(start == 0);
    }
    boolean lineStart = true;
    for (int i = 0; i < pieces.size(); i++) {
      String piece = pieces.get(i);
      int before = lineStart || !spaced.get(i) ? 0 : 1;
      int after = i + 1 < pieces.size() && spaced.get(i + 1) ? 1 : 0;
      if (!lineStart && column + before + piece.length() + after > WIDTH) {
        sb.append(NL);
        pad(sb, indent);
        column = indent;
        before = 0;
      }
      if (before > 0) {
        sb.append(' ');
      }
      sb.append(piece);
      column += before + piece.length();
      lineStart = false;
    }
    sb.append(NL);
  }

  private static void pad(StringBuilder sb, int spaces) {
    for (int i = 0; i < spaces; i++) {
      sb.append(' ');
    }
  }
}
