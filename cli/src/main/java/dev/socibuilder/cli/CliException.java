package dev.socibuilder.cli;


/** A failure the user can act on (missing file, path not in the zTOC...), reported as one line. */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CliException(String message) {
    super(message);
  }

  CliException(String message, Throwable cause) {
    super(message, cause);
  }
}
