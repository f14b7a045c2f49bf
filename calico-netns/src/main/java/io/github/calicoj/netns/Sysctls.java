package io.github.calicoj.netns;

import static java.util.Objects.requireNonNull;

import io.github.calicoj.netns.internal.ProcSys;
import java.util.Map;

/**
 * The networking sysctls of one namespace: the files under {@code /proc/sys/net}, which the kernel
 * resolves to the network namespace of the thread that opens them. Each call is {@code sysctl -w
 * KEY=VALUE} (or {@code sysctl KEY}) run inside the namespace, without starting a process: the work
 * runs on calicoj's namespace thread, or on the calling thread if that is already in the namespace.
 *
 * <pre>{@code
 * try (NetNs host = NetNs.open(Path.of("/var/run/netns/test-host"))) {
 *   Sysctls.in(host).write("net.ipv4.ip_forward", "1");
 * }
 * }</pre>
 *
 * <p>For Calico's settings of a workload link's host end, {@link Netlink#configureCaliLink} writes
 * them all in one switch into the namespace, with its IPv6 proxy-NDP entries.
 *
 * <p>Thread-safe. Borrows the {@link NetNs}, which must stay open while this is used (a call after
 * it closed throws {@link IllegalStateException}); there is nothing to close.
 */
public final class Sysctls {
  private final NetNs ns;

  private Sysctls(NetNs ns) {
    this.ns = ns;
  }

  /** The sysctls of {@code ns}. */
  public static Sysctls in(NetNs ns) {
    return new Sysctls(requireNonNull(ns, "ns"));
  }

  /**
   * Writes one value, e.g. {@code net.ipv4.conf.cali0123456789a.proxy_arp} = {@code 1}.
   *
   * @throws IllegalArgumentException if the key is not under {@code net.}
   * @throws NetnsException ENOENT if there is no such key (for example, no such interface); EINVAL
   *     if the kernel refuses the value
   */
  public void write(String key, String value) {
    requireNonNull(value, "value");
    ProcSys.write(ns, Map.of(key, value));
  }

  /**
   * Writes several values in the map's iteration order, with at most one namespace switch for all.
   * Stops at the first failure; the earlier writes stay.
   *
   * @throws IllegalArgumentException if a key is not under {@code net.} (checked before any write)
   * @throws NetnsException as {@link #write(String, String)}, naming the key that failed
   */
  public void write(Map<String, String> values) {
    ProcSys.write(ns, values);
  }

  /**
   * Reads a value, without its trailing newline.
   *
   * @throws IllegalArgumentException if the key is not under {@code net.}
   * @throws NetnsException ENOENT if there is no such key
   */
  public String read(String key) {
    return ProcSys.read(ns, key);
  }

  @Override
  public String toString() {
    return "Sysctls{" + ns + "}";
  }
}
