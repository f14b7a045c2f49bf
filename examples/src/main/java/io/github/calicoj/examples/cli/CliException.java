package io.github.calicoj.examples.cli;

/** A message to print and an exit code: how a command ends early. */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  final int exitCode;
  final boolean toStderr;

  CliException(String message, int exitCode) {
    this(message, exitCode, false);
  }

  CliException(String message, int exitCode, boolean toStderr) {
    super(message, null, false, false);
    this.exitCode = exitCode;
    this.toStderr = toStderr;
  }
}
