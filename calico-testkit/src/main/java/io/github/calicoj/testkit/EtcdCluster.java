package io.github.calicoj.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Real etcd members for tests: Debian's {@code etcd} binary on free loopback ports with temporary
 * data dirs, started as child processes and killed by PID. One member or a cluster of several;
 * optionally with client TLS. Not thread-safe; owned by the test that starts it.
 */
public final class EtcdCluster implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Path dir;
  private final List<Member> members = new ArrayList<>();
  private final EtcdTls tls;
  private final List<String> extraFlags = new ArrayList<>();

  /** One etcd member. */
  public static final class Member {
    final String name;
    final int clientPort;
    final int peerPort;
    Process process;

    Member(String name, int clientPort, int peerPort) {
      this.name = name;
      this.clientPort = clientPort;
      this.peerPort = peerPort;
    }

    /** The OS process id of the running member, or -1. */
    public long pid() {
      return process == null ? -1 : process.pid();
    }

    /** True while the process runs. */
    public boolean isAlive() {
      return process != null && process.isAlive();
    }
  }

  private EtcdCluster(int size, EtcdTls tls) throws IOException {
    this.dir = Files.createTempDirectory("calicoj-etcd-");
    this.tls = tls;
    for (int i = 1; i <= size; i++) {
      members.add(new Member("m" + i, freePort(), freePort()));
    }
  }

  /** Starts a single plain-http member. */
  public static EtcdCluster startSingle() {
    return start(1, null);
  }

  /** Starts {@code size} members that form one cluster, with client TLS if {@code tls} is given. */
  public static EtcdCluster start(int size, EtcdTls tls) {
    return start(size, tls, List.of());
  }

  /** Starts a single plain-http member with extra etcd flags, e.g. {@code --auth-token-ttl=1}. */
  public static EtcdCluster startSingleWith(String... flags) {
    return start(1, null, List.of(flags));
  }

  private static EtcdCluster start(int size, EtcdTls tls, List<String> flags) {
    Requirements.requireEtcd();
    EtcdCluster cluster;
    try {
      cluster = new EtcdCluster(size, tls);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    cluster.extraFlags.addAll(flags);
    try {
      for (Member m : cluster.members) {
        cluster.launch(m);
      }
      cluster.awaitHealthy(cluster.members);
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  /** The client URLs of all members, comma-separated. */
  public String endpoints() {
    return String.join(",", members.stream().map(this::clientUrl).toList());
  }

  /** The client URL of one member. */
  public String clientUrl(Member m) {
    return (tls == null ? "http" : "https") + "://127.0.0.1:" + m.clientPort;
  }

  /** The members, in start order. */
  public List<Member> members() {
    return List.copyOf(members);
  }

  /** The data directory root, for tests that write files beside etcd. */
  public Path dir() {
    return dir;
  }

  /** Sends SIGKILL to a member and waits for it to die. */
  public void kill(Member m) {
    if (m.process != null) {
      m.process.destroyForcibly(); // SIGKILL on Linux
      try {
        m.process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Stops a member with SIGSTOP: its sockets stay open and accept data, but it answers nothing
   * until {@link #resume}. This is a stalled etcd, as opposed to a dead one.
   */
  public void pause(Member m) {
    signal(m, "-STOP");
  }

  /** Continues a member stopped by {@link #pause} (SIGCONT). */
  public void resume(Member m) {
    signal(m, "-CONT");
  }

  private static void signal(Member m, String signal) {
    if (m.process == null || !m.process.isAlive()) {
      throw new IllegalStateException("etcd member " + m.name + " is not running");
    }
    Processes.run(List.of("kill", signal, Long.toString(m.process.pid())), Duration.ofSeconds(10));
  }

  /** Restarts a killed member with its existing data dir and waits until it is healthy. */
  public void restart(Member m) {
    launch(m);
    awaitHealthy(List.of(m));
  }

  /** The current leader, asked of the first live member through etcdctl. */
  public Member leader() {
    for (Member m : members) {
      if (!m.isAlive()) {
        continue;
      }
      String json = etcdctl(m, "endpoint", "status", "-w", "json");
      // [{"Endpoint":"...","Status":{"header":{...,"member_id":X,...},"leader":Y,...}}]
      long memberId = Long.parseUnsignedLong(field(json, "\"member_id\":"));
      long leaderId = Long.parseUnsignedLong(field(json, "\"leader\":"));
      if (memberId == leaderId) {
        return m;
      }
      for (Member other : members) {
        if (other != m && other.isAlive()) {
          String j = etcdctl(other, "endpoint", "status", "-w", "json");
          if (Long.parseUnsignedLong(field(j, "\"member_id\":")) == leaderId) {
            return other;
          }
        }
      }
    }
    throw new IllegalStateException("No leader found among " + members.size() + " members");
  }

  /**
   * Runs etcdctl against one member (plain or TLS as configured, root credentials if {@code user}
   * is given via the arguments) and returns its stdout; fails on a non-zero exit.
   */
  public String etcdctl(Member m, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add("etcdctl");
    cmd.add("--endpoints=" + clientUrl(m));
    cmd.add("--command-timeout=10s");
    if (tls != null) {
      cmd.add("--cacert=" + tls.caCert());
      cmd.add("--cert=" + tls.clientCert());
      cmd.add("--key=" + tls.clientKey());
    }
    cmd.addAll(List.of(args));
    return Processes.run(cmd, Duration.ofSeconds(20));
  }

  /** Runs etcdctl against the first member. */
  public String etcdctl(String... args) {
    return etcdctl(members.get(0), args);
  }

  /**
   * The value stored at {@code key}, read back with etcdctl ({@code get --print-value-only}),
   * trimmed; empty if there is none. {@code credentials} are etcdctl flags such as {@code
   * --user=root:pw}.
   */
  public String value(String key, String... credentials) {
    return etcdctl(concat(credentials, "get", "--print-value-only", key)).trim();
  }

  /** The keys under {@code prefix}, in etcd's order, read back with etcdctl. */
  public List<String> keys(String prefix, String... credentials) {
    List<String> out = new ArrayList<>();
    for (String l :
        etcdctl(concat(credentials, "get", "--prefix", "--keys-only", prefix)).split("\n")) {
      if (!l.isBlank()) {
        out.add(l.trim());
      }
    }
    return out;
  }

  private static String[] concat(String[] first, String... rest) {
    List<String> all = new ArrayList<>(List.of(first));
    all.addAll(List.of(rest));
    return all.toArray(new String[0]);
  }

  /** Kills every member by PID (paused ones too) and deletes the data dirs. Idempotent. */
  @Override
  public void close() {
    for (Member m : members) {
      kill(m); // SIGKILL ends a stopped process as well
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temp dir left behind is harmless
    }
  }

  private void launch(Member m) {
    String scheme = tls == null ? "http" : "https";
    StringBuilder initial = new StringBuilder();
    for (Member x : members) {
      if (initial.length() > 0) {
        initial.append(',');
      }
      initial.append(x.name).append("=http://127.0.0.1:").append(x.peerPort);
    }
    List<String> cmd = new ArrayList<>();
    cmd.add("etcd");
    cmd.add("--name=" + m.name);
    cmd.add("--data-dir=" + dir.resolve(m.name + ".etcd"));
    cmd.add("--listen-client-urls=" + scheme + "://127.0.0.1:" + m.clientPort);
    cmd.add("--advertise-client-urls=" + scheme + "://127.0.0.1:" + m.clientPort);
    cmd.add("--listen-peer-urls=http://127.0.0.1:" + m.peerPort);
    cmd.add("--initial-advertise-peer-urls=http://127.0.0.1:" + m.peerPort);
    cmd.add("--initial-cluster=" + initial);
    cmd.add("--initial-cluster-state=new");
    cmd.add("--initial-cluster-token=calicoj-" + dir.getFileName());
    cmd.add("--log-level=warn");
    cmd.addAll(extraFlags);
    if (tls != null) {
      cmd.add("--cert-file=" + tls.serverCert());
      cmd.add("--key-file=" + tls.serverKey());
      cmd.add("--trusted-ca-file=" + tls.caCert());
      cmd.add("--client-cert-auth");
    }
    try {
      m.process =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(
                  ProcessBuilder.Redirect.appendTo(dir.resolve(m.name + ".log").toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start etcd: " + cmd, e);
    }
  }

  private void awaitHealthy(List<Member> which) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    for (Member m : which) {
      while (true) {
        if (!m.process.isAlive()) {
          throw new IllegalStateException(
              "etcd member " + m.name + " exited at start; log:\n" + log(m));
        }
        try {
          etcdctl(m, "endpoint", "health");
          break;
        } catch (RuntimeException e) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "etcd member "
                    + m.name
                    + " not healthy within "
                    + START_TIMEOUT
                    + "; log:\n"
                    + log(m),
                e);
          }
          sleep(50);
        }
      }
    }
  }

  private String log(Member m) {
    try {
      return Files.readString(dir.resolve(m.name + ".log"), UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static String field(String json, String name) {
    int i = json.indexOf(name);
    if (i < 0) {
      throw new IllegalStateException("No " + name + " in " + json);
    }
    int start = i + name.length();
    int end = start;
    while (end < json.length() && Character.isDigit(json.charAt(end))) {
      end++;
    }
    return json.substring(start, end);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
