package dev.socibuilder.cli;

import dev.socibuilder.layer.LayerDataException;
import dev.socibuilder.ztoc.BuildInfo;
import dev.socibuilder.ztoc.InvalidZtocException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code soci-builder}. Exit codes: 0 success, 1 bad input or a failed operation (one
 * line on stderr, also for an {@link Error} such as running out of memory), 2 usage error.
 */
@Command(
    name = "soci-builder",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Builds SOCI indexes (zTOCs and SOCI index manifests) for container images.")
public final class Main implements Runnable {
  static final int EXIT_FAILURE = 1;

  /**
   * The commands by name, in the order help lists them (then {@code help}). Each is built only when it
   * may run: picocli reflects over every option of every command it is given, and for all of them that
   * took about 0.2 s of a short run ({@code ztoc create} of a small layer: 0.35 s in all).
   */
  private static final Map<String, Supplier<Object>> COMMANDS = new LinkedHashMap<>();

  static {
    COMMANDS.put("index", IndexCommand::new);
    COMMANDS.put("backfill", BackfillCommand::new);
    COMMANDS.put("inspect", InspectCommand::new);
    COMMANDS.put("ztoc", ZtocCommand::new);
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit code (for tests and {@link #main}). */
  public static int run(String... args) {
    return run(commandLine(args.length > 0 ? args[0] : null), args);
  }

  /**
   * Runs {@code cl} (a {@link #commandLine()}) and returns its exit code. An {@link Error} (picocli only
   * handles exceptions) is one line on stderr and exit code 1 too, never a stack trace.
   */
  static int run(CommandLine cl, String... args) {
    try {
      return cl.execute(args);
    } catch (Error e) {
      return fatal(e, cl.getErr());
    }
  }

  /** Reports an {@link Error} as one line. */
  static int fatal(Error e, PrintWriter err) {
    String message;
    if (e instanceof OutOfMemoryError) {
      // By now the stack has unwound and what filled the heap is garbage: there is room to report.
      message = "out of memory (" + e.getMessage() + ", maximum heap " + (Runtime.getRuntime().maxMemory() >> 20)
          + " MiB): give the JVM more with -Xmx (e.g. JAVA_TOOL_OPTIONS=-Xmx4g), or lower --limits";
    } else if (e instanceof StackOverflowError) {
      message = "internal error: stack overflow (input nested too deeply?)";
    } else {
      message = "internal error: " + e;
    }
    err.println("soci-builder: " + message);
    if (System.getenv("SOCI_BUILDER_DEBUG") != null) {
      e.printStackTrace(err);
    }
    err.flush();
    return EXIT_FAILURE;
  }

  /** The configured command line with every command (tests redirect its output). */
  static CommandLine commandLine() {
    return commandLine(null);
  }

  /**
   * The configured command line for arguments starting with {@code first}: only that command if it names
   * one, else every command and {@code help} (for help, the version and usage errors, which list them).
   */
  static CommandLine commandLine(String first) {
    boolean one = first != null && COMMANDS.containsKey(first);
    CommandLine cl = new CommandLine(new Main());
    COMMANDS.forEach((name, command) -> {
      if (!one || name.equals(first)) {
        cl.addSubcommand(command.get());
      }
    });
    if (!one) {
      cl.addSubcommand(new CommandLine.HelpCommand());
    }
    cl.setExecutionExceptionHandler(Main::handle);
    return cl;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
  }

  /** Turns a failure into one clear line on stderr, without a stack trace for expected failures. */
  private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
    PrintWriter err = cl.getErr();
    String message;
    if (e instanceof LayerDataException
        || e instanceof InvalidZtocException
        || e instanceof CliException) {
      message = e.getMessage();
    } else if (e instanceof IOException || e instanceof UncheckedIOException) {
      message = "I/O error: " + e.getMessage();
    } else {
      message = "internal error: " + e;
      if (System.getenv("SOCI_BUILDER_DEBUG") != null) {
        e.printStackTrace(err);
      }
    }
    err.println("soci-builder: " + message);
    err.flush();
    return EXIT_FAILURE;
  }

  /** Reports the version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"soci-builder " + BuildInfo.version()};
    }
  }
}
