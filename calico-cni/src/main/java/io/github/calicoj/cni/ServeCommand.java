package io.github.calicoj.cni;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@code calico-cni serve}: runs a {@link CniServer} until the process is stopped (SIGTERM or
 * SIGINT close it: the socket file is removed, requests in progress finish). Options:
 *
 * <pre>
 * --socket PATH       the socket (default /run/calicoj/cni.sock)
 * --threads N         requests run at once (default 4)
 * --sessions N        warm sessions kept (default 8)
 * --log-level LEVEL   error, warning (default), info or debug
 * --log-file PATH     append the log to PATH as well as stderr
 * </pre>
 *
 * The log is set up once, here, before any logger exists; requests never change it. No logger is a
 * field of this class for that reason. Not thread-safe; run once per process.
 */
final class ServeCommand {
  private static final Map<String, String> LEVELS =
      Map.of("error", "error", "warning", "warn", "warn", "warn", "info", "info", "debug", "debug");

  /** {@link #run}'s status: the server runs. */
  static final int RUNNING = 0;

  /** {@link #run}'s status: the server could not start. */
  static final int FAILED = 1;

  /** {@link #run}'s status: the arguments are wrong. */
  static final int BAD_ARGUMENTS = 2;

  /** {@link #run}'s status: the usage was asked for, and printed. */
  static final int HELP = 3;

  private static final String USAGE =
      "usage: calico-cni serve [--socket PATH] [--threads N] [--sessions N]"
          + " [--log-level error|warning|info|debug] [--log-file PATH]";

  private ServeCommand() {}

  /**
   * Starts the server from {@code args} and returns {@link #RUNNING} with it running (its accepting
   * thread keeps the JVM alive; a shutdown hook closes it), or prints why it cannot start and
   * returns {@link #BAD_ARGUMENTS} or {@link #FAILED}; for {@code --help}, prints the usage and
   * returns {@link #HELP}.
   */
  static int run(List<String> args) {
    @Nullable Path socket =
        null; // CniServer is not touched before the log is set up: it has a logger
    int threads = 4;
    int sessions = 8;
    String level = "warn";
    @Nullable Path logFile = null;
    try {
      for (int i = 0; i < args.size(); i++) {
        String opt = args.get(i);
        if (opt.equals("--help") || opt.equals("-h")) {
          System.err.println(USAGE);
          return HELP;
        }
        if (i + 1 >= args.size()) {
          throw new IllegalArgumentException(opt + " needs a value");
        }
        String v = args.get(++i);
        switch (opt) {
          case "--socket" -> socket = absolute(v, opt);
          case "--threads" -> threads = number(v, opt);
          case "--sessions" -> sessions = number(v, opt);
          case "--log-level" -> {
            String l = LEVELS.get(v.toLowerCase(Locale.ROOT));
            if (l == null) {
              throw new IllegalArgumentException(
                  "--log-level " + v + " is not one of error, warning, info, debug");
            }
            level = l;
          }
          case "--log-file" -> logFile = absolute(v, opt);
          default -> throw new IllegalArgumentException("Unknown option " + opt);
        }
      }
    } catch (IllegalArgumentException e) {
      System.err.println("calico-cni serve: " + e.getMessage() + "\n" + USAGE);
      return BAD_ARGUMENTS;
    }
    PluginLog.configure(level, logFile);
    CniServer server;
    try {
      server =
          CniServer.builder()
              .socket(socket != null ? socket : CniServer.DEFAULT_SOCKET)
              .threads(threads)
              .sessions(sessions)
              .build();
    } catch (RuntimeException e) {
      System.err.println("calico-cni serve: " + e.getMessage());
      return FAILED;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "calico-cni-server-shutdown"));
    return RUNNING;
  }

  private static Path absolute(String v, String opt) {
    if (!v.startsWith("/")) {
      throw new IllegalArgumentException(opt + " " + v + " is not an absolute path");
    }
    return Path.of(v);
  }

  private static int number(String v, String opt) {
    try {
      int n = Integer.parseInt(v);
      if (n >= 1 && n <= 256) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(opt + " " + v + " is not a number in 1..256");
  }
}
