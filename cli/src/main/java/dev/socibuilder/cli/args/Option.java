package dev.socibuilder.cli.args;

/**
 * An option: a flag ({@code --json}) or an option with a value ({@code --span-size BYTES}, also given as
 * {@code --span-size=BYTES}, and for a short name {@code -o OUT}, {@code -o=OUT} or {@code -oOUT}).
 *
 * @param name the long name, e.g. {@code --output}: also the key {@link Command#set} gets
 * @param shortName a one-letter name such as {@code -o}, or null
 * @param label what the value is in the help, e.g. {@code BYTES}; null for a flag
 * @param description the help text; {@code ${DEFAULT-VALUE}} in it stands for the default
 * @param defaultValue the value taken when the option is not given, or null for none
 * @param repeatable whether it may be given more than once, each value taken in turn
 * @param hidden whether the help leaves it out (it still works)
 * @param required whether it must be given
 */
public record Option(
    String name, String shortName, String label, String description, String defaultValue,
    boolean repeatable, boolean hidden, boolean required) {

  public Option {
    if (!name.startsWith("--") || name.length() < 3 || name.indexOf('=') >= 0) {
      throw new IllegalArgumentException("not a long option name: " + name);
    }
    if (shortName != null && (shortName.length() != 2 || shortName.charAt(0) != '-' || shortName.charAt(1) == '-')) {
      throw new IllegalArgumentException("not a short option name: " + shortName);
    }
    if (label == null && (defaultValue != null || repeatable || required)) {
      throw new IllegalArgumentException("a flag has no default and is neither repeatable nor required: " + name);
    }
  }

  /** A flag: {@code true} when given ({@code --name=false} also works). */
  public static Option flag(String name, String description) {
    return new Option(name, null, null, description, null, false, false, false);
  }

  /** An option taking a value described by {@code label}. */
  public static Option of(String name, String label, String description) {
    return new Option(name, null, label, description, null, false, false, false);
  }

  /** This option with a short name too, e.g. {@code -o}. */
  public Option withShortName(String shortName) {
    return new Option(name, shortName, label, description, defaultValue, repeatable, hidden, required);
  }

  /** This option with a default value. */
  public Option withDefault(String defaultValue) {
    return new Option(name, shortName, label, description, defaultValue, repeatable, hidden, required);
  }

  /** This option, repeatable. */
  public Option asRepeatable() {
    return new Option(name, shortName, label, description, defaultValue, true, hidden, required);
  }

  /** This option, left out of the help. */
  public Option asHidden() {
    return new Option(name, shortName, label, description, defaultValue, repeatable, true, required);
  }

  /** This option, required. */
  public Option asRequired() {
    return new Option(name, shortName, label, description, defaultValue, repeatable, hidden, true);
  }

  /** Whether this is a flag (it takes no value). */
  public boolean isFlag() {
    return label == null;
  }
}
