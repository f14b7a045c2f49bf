package io.github.calicoj.examples.cli;

import org.jspecify.annotations.Nullable;

/**
 * How a command ends early: a message, where it goes, and the exit code. The exit codes are the
 * ones {@code calicoctl --help} documents.
 */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Exit code of every failure: a refused argument or setting, an error from etcd or Docker. */
  static final int FAILED = 1;

  /**
   * Exit code of a usage error (unknown command or option, missing or extra argument): the
   * reference's, whose docopt exits 1 after printing the usage.
   */
  static final int USAGE = 1;

  /** Exit code of a container command run without root, as the reference's {@code enforce_root}. */
  static final int NOT_ROOT = 2;

  /** Exit code of {@code ipam check} when findings remain unresolved. */
  static final int FINDINGS = 3;

  final int exitCode;
  final boolean toStderr;

  /** The usage line printed under a usage error's message, without {@code calicoctl}. */
  final @Nullable String usage;

  /** A failure: the message on stdout, as the reference prints it, and exit code 1. */
  CliException(String message) {
    this(message, FAILED, false, null, null);
  }

  /** A failure caused by {@code cause} (whose stack trace {@code --debug} prints). */
  CliException(String message, Throwable cause) {
    this(message, FAILED, false, null, cause);
  }

  private CliException(
      String message,
      int exitCode,
      boolean toStderr,
      @Nullable String usage,
      @Nullable Throwable cause) {
    super(message, cause, false, false);
    this.exitCode = exitCode;
    this.toStderr = toStderr;
    this.usage = usage;
  }

  /** A usage error: the message and the usage line of the command, on stderr; exit code 1. */
  static CliException usage(String message, String usage) {
    return new CliException(message, USAGE, true, usage, null);
  }

  /** "This command must be run as root." on stderr, exit code 2. */
  static CliException notRoot() {
    return new CliException("This command must be run as root.", NOT_ROOT, true, null, null);
  }
}
