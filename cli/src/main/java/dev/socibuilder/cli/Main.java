package dev.socibuilder.cli;

import dev.socibuilder.cli.args.Cli;
import dev.socibuilder.cli.args.Command;
import dev.socibuilder.cli.args.CommandSpec;
import dev.socibuilder.cli.args.HelpCommand;
import dev.socibuilder.cli.args.Streams;
import dev.socibuilder.cli.args.UsageException;
import dev.socibuilder.layer.LayerDataException;
import dev.socibuilder.ztoc.BuildInfo;
import dev.socibuilder.ztoc.InvalidZtocException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Entry point of {@code soci-builder}. Exit codes: 0 success, 1 bad input or a failed operation (one
 * line on stderr, also for an {@link Error} such as running out of memory), 2 usage error.
 */
public final class Main implements Command {
  static final int EXIT_FAILURE = 1;

  /** The commands in the order help lists them; each is built only when it is named (or help lists it). */
  private static final CommandSpec SPEC = CommandSpec.group("soci-builder",
      List.of("Builds SOCI indexes (zTOCs and SOCI index manifests) for container images."),
      List.of("index", "backfill", "inspect", "ztoc", HelpCommand.NAME));

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI on the process's standard output and error and returns its exit code. */
  public static int run(String... args) {
    return run(new Main(), Streams.system(), args);
  }

  /**
   * Runs {@code root} (the CLI, or in tests another command) on {@code streams} and returns the exit code. A
   * failure is one line on stderr and exit code 1, an {@link Error} too, never a stack trace.
   */
  static int run(Command root, Streams streams, String... args) {
    try {
      return Cli.execute(root, streams, args);
    } catch (Exception e) {
      return handle(e, streams.err());
    } catch (Error e) {
      return fatal(e, streams.err());
    }
  }

  @Override
  public CommandSpec spec() {
    return SPEC;
  }

  @Override
  public Command subcommand(String name) {
    return switch (name) {
      case "index" -> new IndexCommand();
      case "backfill" -> new BackfillCommand();
      case "inspect" -> new InspectCommand();
      case "ztoc" -> new ZtocCommand();
      case HelpCommand.NAME -> new HelpCommand(this);
      default -> null;
    };
  }

  /** The version from the build. */
  @Override
  public String version() {
    return "soci-builder " + BuildInfo.version();
  }

  @Override
  public int run(Streams streams) {
    throw new UsageException("missing command");
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

  /** Turns a failure into one clear line on stderr, without a stack trace for expected failures. */
  private static int handle(Exception e, PrintWriter err) {
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
}
