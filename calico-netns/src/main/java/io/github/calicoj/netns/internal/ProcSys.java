package io.github.calicoj.netns.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.github.calicoj.netns.NetNs;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Reads and writes files under {@code /proc/sys/net} in a given namespace. Those files resolve to
 * the network namespace of the thread that opens them, so the work runs on the namespace switcher
 * unless the calling thread is already there. Plain open/read/write/close through libc, so a
 * failure carries the kernel's errno (ENOENT: no such key; EINVAL: a value the kernel refuses).
 */
public final class ProcSys {
  private static final Pattern KEY = Pattern.compile("net(\\.[A-Za-z0-9_-]+)+");

  /** Longer than any value under /proc/sys/net. */
  private static final int READ_MAX = 4096;

  private ProcSys() {}

  /**
   * Checks a dotted key such as {@code net.ipv4.conf.eth0.forwarding} and returns its file.
   *
   * @throws IllegalArgumentException if the key is not under {@code net.}
   */
  public static String path(String key) {
    requireNonNull(key, "key");
    checkArgument(KEY.matcher(key).matches(), "Not a net.* sysctl key: %s", key);
    return "/proc/sys/" + key.replace('.', '/');
  }

  /**
   * Writes {@code values} (key to value, in iteration order) inside {@code ns}, with at most one
   * namespace switch; stops at the first failure, and earlier writes stay.
   */
  public static void write(NetNs ns, Map<String, String> values) {
    requireNonNull(values, "values");
    Map<String, String> files = new LinkedHashMap<>(); // path -> key, all checked before any write
    values.forEach(
        (k, v) -> {
          requireNonNull(v, "value of " + k);
          files.put(path(k), k);
        });
    if (files.isEmpty()) {
      return;
    }
    inNamespace(
        ns,
        () -> {
          files.forEach((path, key) -> writeHere(key, path, requireNonNull(values.get(key))));
          return files.size();
        });
  }

  /** Reads a value inside {@code ns}, without the trailing newline. */
  public static String read(NetNs ns, String key) {
    String path = path(key);
    return inNamespace(ns, () -> readHere(key, path));
  }

  private static <T> T inNamespace(NetNs ns, Supplier<T> body) {
    if (NetNs.currentThreadIdentity().equals(ns.identity())) {
      return body.get(); // already there: no switch
    }
    return Namespaces.callOnSwitcher(ns.fd(), "netns " + ns.path(), body::get);
  }

  private static void writeHere(String key, String path, String value) {
    LibC c = Native.libc();
    int fd = c.open(path, Native.O_WRONLY | Native.O_CLOEXEC);
    if (fd < 0) {
      throw Native.error("write sysctl", key, Native.errno(), null);
    }
    try {
      byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
      long n = c.write(fd, bytes, bytes.length);
      if (n != bytes.length) {
        int errno = n < 0 ? Native.errno() : 0;
        throw Native.error("write sysctl", key + "=" + value, errno, n >= 0 ? "short write" : null);
      }
    } finally {
      c.close(fd);
    }
  }

  private static String readHere(String key, String path) {
    LibC c = Native.libc();
    int fd = c.open(path, Native.O_RDONLY | Native.O_CLOEXEC);
    if (fd < 0) {
      throw Native.error("read sysctl", key, Native.errno(), null);
    }
    try {
      byte[] buf = new byte[READ_MAX];
      long n = c.read(fd, buf, buf.length);
      if (n < 0) {
        throw Native.error("read sysctl", key, Native.errno(), null);
      }
      return new String(buf, 0, (int) n, StandardCharsets.US_ASCII).trim();
    } finally {
      c.close(fd);
    }
  }
}
