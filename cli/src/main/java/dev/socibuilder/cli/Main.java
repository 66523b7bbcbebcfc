package dev.socibuilder.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code soci-builder}. */
@Command(
    name = "soci-builder",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Builds SOCI indexes (zTOCs and SOCI index manifests) for container images.")
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  /** Reports the version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"soci-builder " + (v == null ? "dev" : v)};
    }
  }
}
