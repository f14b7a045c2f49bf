package io.github.calicoj.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Gates for tests that need root, etcd or Docker. Locally a missing requirement skips the test; in
 * strict mode ({@code -Dcalico.it.required=true}, or the environment variable {@code
 * CALICO_IT_REQUIRED=true}, which CI sets) it fails the test, so a green CI run means the test ran.
 */
public final class Requirements {
  private Requirements() {}

  /** True when a missing requirement must fail rather than skip. */
  public static boolean strict() {
    return Boolean.parseBoolean(System.getProperty("calico.it.required", "false"))
        || Boolean.parseBoolean(System.getenv().getOrDefault("CALICO_IT_REQUIRED", "false"));
  }

  /** Skips (or, in strict mode, fails) unless {@code condition} holds. */
  public static void require(boolean condition, String what) {
    if (condition) {
      return;
    }
    if (strict()) {
      fail("Required for this test but missing (strict mode): " + what);
    }
    Assumptions.abort("Skipped, missing: " + what);
  }

  /** Requires the etcd server and etcdctl binaries (Debian's etcd-server and etcd-client). */
  public static void requireEtcd() {
    require(onPath("etcd") != null, "the etcd binary (apt-get install etcd-server)");
    require(onPath("etcdctl") != null, "the etcdctl binary (apt-get install etcd-client)");
  }

  /** Requires openssl, to make test certificates. */
  public static void requireOpenssl() {
    require(onPath("openssl") != null, "the openssl binary");
  }

  /** Requires running as root (uid 0). */
  public static void requireRoot() {
    require("root".equals(System.getProperty("user.name")), "root privileges");
  }

  /** Finds an executable on PATH (or in the sbin directories), or null. */
  public static Path onPath(String name) {
    String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin";
    for (String dir : path.split(":")) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
