package io.github.calicoj.cni;

import static java.util.Objects.requireNonNull;

import com.google.common.base.CharMatcher;
import com.google.common.base.Splitter;
import com.google.common.io.BaseEncoding;
import io.github.calicoj.netns.InterfaceName;
import io.github.calicoj.netns.IpPrefix;
import io.github.calicoj.netns.NetNs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The addresses of one interface and the routes of a container's namespace, as the kernel reports
 * them, for CHECK (the SDK's netlink layer writes addresses and routes but does not list them).
 * Read on a thread inside the namespace ({@link NetNs#call}): routes from procfs {@code
 * thread-self/net/route} and {@code ipv6_route} (the calling thread's namespace, where {@code
 * self/net} would be the main thread's), IPv6 addresses from {@code thread-self/net/if_inet6}, IPv4
 * addresses from {@link NetworkInterface}, whose IPv4 query is a socket ioctl and so answers for
 * the thread's namespace. The parsers are pure. Immutable.
 *
 * @param addresses the interface's addresses
 * @param routes the namespace's routes, both families
 */
record SandboxState(Set<InetAddress> addresses, List<KernelRoute> routes) {

  private static final Path PROC_NET = Path.of("/proc/thread-self/net");

  private static final Splitter WHITESPACE =
      Splitter.on(CharMatcher.whitespace()).omitEmptyStrings();

  /** Copies the collections. */
  SandboxState {
    addresses = Collections.unmodifiableSet(new LinkedHashSet<>(addresses));
    routes = List.copyOf(routes);
  }

  /**
   * One route.
   *
   * @param destination the destination network
   * @param gateway the next hop, or null for a direct route
   * @param device the output interface
   */
  record KernelRoute(IpPrefix destination, @Nullable InetAddress gateway, String device) {
    /** Rejects nulls. */
    KernelRoute {
      requireNonNull(destination, "destination");
      requireNonNull(device, "device");
    }
  }

  /** Reads the state of {@code iface} and of the namespace's routing tables. */
  static SandboxState read(NetNs ns, InterfaceName iface) {
    return ns.call(
        () -> {
          Set<InetAddress> addresses = new LinkedHashSet<>(ipv4Addresses(iface));
          addresses.addAll(parseIpv6Addresses(procNet("if_inet6"), iface.toString()));
          List<KernelRoute> routes = new ArrayList<>(parseIpv4Routes(procNet("route")));
          routes.addAll(parseIpv6Routes(procNet("ipv6_route")));
          return new SandboxState(addresses, routes);
        });
  }

  private static String procNet(String file) {
    Path p = PROC_NET.resolve(file);
    try {
      return Files.exists(p) ? Files.readString(p) : ""; // no IPv6 in the kernel: no file
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + p, e);
    }
  }

  private static List<InetAddress> ipv4Addresses(InterfaceName iface) throws SocketException {
    NetworkInterface ni = NetworkInterface.getByName(iface.toString());
    List<InetAddress> out = new ArrayList<>();
    if (ni != null) {
      Collections.list(ni.getInetAddresses()).stream()
          .filter(a -> a instanceof Inet4Address)
          .forEach(out::add);
    }
    return out;
  }

  /**
   * Parses procfs {@code net/route}: a header, then per route the device, destination, gateway,
   * flags, refcount, use, metric and mask, the addresses as hex of the big-endian value read as a
   * host-order integer.
   */
  static List<KernelRoute> parseIpv4Routes(String text) {
    List<KernelRoute> out = new ArrayList<>();
    text.lines()
        .skip(1)
        .map(SandboxState::fields)
        .filter(f -> f.size() >= 8)
        .forEach(
            f -> {
              InetAddress gw = ipv4(f.get(2));
              int prefix = Integer.bitCount((int) Long.parseLong(f.get(7), 16));
              out.add(
                  new KernelRoute(
                      new IpPrefix(ipv4(f.get(1)), prefix),
                      gw.isAnyLocalAddress() ? null : gw,
                      f.get(0)));
            });
    return out;
  }

  /**
   * Parses procfs {@code net/ipv6_route}: per route the destination and its prefix length, the
   * source and its length, the next hop, metric, refcount, use, flags and device.
   */
  static List<KernelRoute> parseIpv6Routes(String text) {
    List<KernelRoute> out = new ArrayList<>();
    text.lines()
        .map(SandboxState::fields)
        .filter(f -> f.size() >= 10)
        .forEach(
            f -> {
              InetAddress gw = ipv6(f.get(4));
              out.add(
                  new KernelRoute(
                      new IpPrefix(ipv6(f.get(0)), Integer.parseInt(f.get(1), 16)),
                      gw.isAnyLocalAddress() ? null : gw,
                      f.get(9)));
            });
    return out;
  }

  /**
   * Parses procfs {@code net/if_inet6}: per address the address, interface index, prefix length,
   * scope, flags and device; returns the addresses of {@code device}.
   */
  static List<InetAddress> parseIpv6Addresses(String text, String device) {
    List<InetAddress> out = new ArrayList<>();
    text.lines()
        .map(SandboxState::fields)
        .filter(f -> f.size() >= 6 && f.get(5).equals(device))
        .forEach(f -> out.add(ipv6(f.get(0))));
    return out;
  }

  private static List<String> fields(String line) {
    return WHITESPACE.splitToList(line);
  }

  private static InetAddress ipv4(String hex) {
    int value = (int) Long.parseLong(hex, 16);
    byte[] bytes = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array();
    return address(bytes);
  }

  private static InetAddress ipv6(String hex) {
    return address(BaseEncoding.base16().decode(hex.toUpperCase(Locale.ROOT)));
  }

  private static InetAddress address(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("Not an address of 4 or 16 bytes: " + bytes.length, e);
    }
  }
}
