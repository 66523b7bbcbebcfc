package dev.socibuilder.cli;

import dev.socibuilder.layer.LayerDataException;
import dev.socibuilder.ztoc.BuildInfo;
import dev.socibuilder.ztoc.InvalidZtocException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
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
    subcommands = {IndexCommand.class, BackfillCommand.class, InspectCommand.class, ZtocCommand.class,
        CommandLine.HelpCommand.class},
    description = "Builds SOCI indexes (zTOCs and SOCI index manifests) for container images.")
public final class Main implements Runnable {
  static final int EXIT_FAILURE = 1;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit code (for tests and {@link #main}). */
  public static int run(String... args) {
    return run(commandLine(), args);
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

  /** The configured command line (tests redirect its output). */
  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
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
