package io.github.calicoj.cni;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.calicoj.netns.NetnsSupport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * The {@code calico-cni} plugin's entry point: reads the {@code CNI_*} environment and the network
 * configuration on stdin, runs ADD, DEL, CHECK or VERSION, and writes the result, or the spec's
 * error object, to stdout; the exit code is 0 on success and 1 on error. Nothing else ever reaches
 * stdout: {@link System#out} is pointed at stderr before any other code runs. Runtimes call the
 * launcher script {@code calico-cni}, which answers VERSION itself and starts this class for the
 * rest.
 *
 * <p>Bounds: stdin is read until the runtime closes it (every runtime does), at most 4 MiB; every
 * etcd request is bounded by {@code etcd_timeout}, every netlink request by the SDK's socket
 * timeout, the dataplane work of an add by 20 s.
 *
 * <p>{@code calico-cni serve [options]} runs the resident {@link CniServer} instead, until the
 * process is stopped (SIGTERM or SIGINT): the launcher then sends ADD, DEL and CHECK to it, which
 * saves the start of a JVM per invocation.
 *
 * <p>Thread safety: one invocation per process; {@link #main} is not re-entrant.
 */
public final class CalicoCni {
  /** The largest configuration read from stdin (or taken by the server). */
  static final int MAX_CONFIG = 4 << 20;

  private CalicoCni() {}

  /**
   * Runs one CNI invocation and exits with its status; with the arguments {@code serve [options]},
   * runs the server (see {@link ServeCommand}).
   */
  public static void main(String[] args) {
    PrintStream stdout = System.out;
    System.setOut(System.err);
    if (args.length > 0 && args[0].equals("serve")) {
      int status = ServeCommand.run(List.of(args).subList(1, args.length));
      if (status != ServeCommand.RUNNING) {
        System.exit(status == ServeCommand.HELP ? 0 : status);
      }
      return; // the server's thread keeps the JVM running until SIGTERM closes it
    }
    int status = run(System.getenv(), System.in, stdout);
    stdout.flush();
    System.exit(status);
  }

  /**
   * Runs one standalone invocation: {@code env} as the environment, {@code stdin} as the
   * configuration, the result or error to {@code out}; the log as the configuration says, a session
   * of its own.
   *
   * @return the exit status: 0 on success, 1 on error
   */
  static int run(Map<String, String> env, InputStream stdin, PrintStream out) {
    if (!CniCommand.VERSION.name().equals(env.getOrDefault("CNI_COMMAND", "").trim())) {
      preloadNetns();
    }
    Reply reply;
    try {
      reply = execute(env, readAll(stdin), SessionSource.OPEN_PER_CALL, true);
    } catch (IOException | RuntimeException e) {
      reply = failure(e, "calico-cni", CniVersion.LATEST.toString());
    }
    byte[] body = reply.stdout();
    out.write(body, 0, body.length);
    out.flush();
    return reply.status();
  }

  /** What an invocation prints, and its exit status. Immutable. */
  static final class Reply {
    private final int status;
    private final byte[] stdout;

    Reply(int status, byte[] stdout) {
      this.status = status;
      this.stdout = stdout.clone();
    }

    /** 0 on success, 1 on error. */
    int status() {
      return status;
    }

    /** The result or the error object and a newline; empty for a DEL or CHECK that succeeded. */
    byte[] stdout() {
      return stdout.clone();
    }
  }

  /**
   * Runs one invocation: the same steps whether the plugin runs as its own process or in the {@link
   * CniServer}. Thread-safe: it keeps no state; {@code configureLog} (the standalone plugin's
   * per-process log set-up from the configuration) must be false when invocations share a process.
   */
  static Reply execute(
      Map<String, String> env, byte[] input, SessionSource sessions, boolean configureLog) {
    String version = CniVersion.LATEST.toString();
    String what = "calico-cni";
    try {
      CniEnvironment e = CniEnvironment.from(env);
      if (e.command() == CniCommand.VERSION) {
        return new Reply(0, line(versionInfo()));
      }
      version = NetConf.versionForErrors(input);
      what = e.command() + " of container " + brief(e.containerId());
      NetConf conf = NetConf.parse(input);
      if (configureLog) {
        PluginLog.configure(conf.logLevel, conf.logFile);
      }
      byte[] out = new byte[0];
      try (SessionSource.Lease lease = sessions.lease(conf)) {
        CalicoSession session = lease.session();
        switch (e.command()) {
          case ADD -> out = line(AddCommand.run(e, conf, session).toJson(conf.version));
          case DEL -> DelCommand.run(e, conf, session);
          case CHECK -> CheckCommand.run(e, conf, session);
          case VERSION -> throw new IllegalStateException("VERSION was answered above");
        }
      }
      return new Reply(0, out);
    } catch (Throwable t) {
      return failure(t, what, version);
    }
  }

  /** The error reply for {@code t}, logged. */
  static Reply failure(Throwable t, String what, String version) {
    CniException c = Failures.toCni(t, what);
    log(what, c);
    return new Reply(1, line(c.toJson(version)));
  }

  /** The VERSION answer: the newest version, and every supported one. */
  static ObjectNode versionInfo() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("cniVersion", CniVersion.LATEST.toString());
    ArrayNode a = o.putArray("supportedVersions");
    CniVersion.supported().forEach(a::add);
    return o;
  }

  /**
   * Loads the namespace layer (jnr-ffi's binding of libc, a large part of the start-up) on another
   * thread while this one reads the configuration, sets up the etcd client and writes the profile.
   * The probe makes no logger, so the log settings, which come from the configuration, still apply
   * to everything. A failure is left for the first namespace operation to report.
   */
  private static void preloadNetns() {
    Thread t = new Thread(NetnsSupport::isAvailable, "calico-cni-netns-preload");
    t.setDaemon(true);
    t.start();
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    for (int n; (n = in.read(chunk)) >= 0; ) {
      buf.write(chunk, 0, n);
      if (buf.size() > MAX_CONFIG) {
        throw new CniException(
            CniCode.IO_FAILURE,
            "The configuration on stdin is larger than " + MAX_CONFIG + " bytes");
      }
    }
    return buf.toByteArray();
  }

  /** The JSON document and a newline, as the plugin prints it. */
  static byte[] line(ObjectNode json) {
    return (json.toString() + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /** A container id as logs show it: the first 12 characters of a long one. */
  static String brief(String containerId) {
    return containerId.length() > 12 ? containerId.substring(0, 12) : containerId;
  }

  /** Logs the failure, with the stack trace of what caused it. */
  private static void log(String what, CniException c) {
    Throwable cause = c.getCause();
    try {
      LoggerFactory.getLogger(CalicoCni.class)
          .warn(
              "{}: error {}: {}{}",
              what,
              c.code().value(),
              c.msg(),
              cause == null ? "" : "\n" + Failures.stackTrace(cause));
    } catch (RuntimeException | LinkageError e) {
      System.err.println("calico-cni: " + what + ": " + c.msg());
    }
  }
}
