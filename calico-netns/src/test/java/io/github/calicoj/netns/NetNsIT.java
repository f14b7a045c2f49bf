package io.github.calicoj.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.calicoj.netns.InvalidNamespaceException.Reason;
import io.github.calicoj.testkit.Processes;
import io.github.calicoj.testkit.Requirements;
import io.github.calicoj.testkit.TestNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Opening namespaces: what is accepted, and a typed error for each thing that is not one. */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class NetNsIT {

  @BeforeEach
  void requireNetns() {
    Requirements.requireRoot();
    Requirements.require(NetnsSupport.isAvailable(), "netns support");
  }

  @Test
  void opensNamedProcAndCurrentNamespaces() throws Exception {
    try (TestNamespace t = TestNamespace.create();
        NetNs named = NetNs.open(t.path());
        NetNs proc = NetNs.open(Path.of("/proc/self/ns/net"));
        NetNs current = NetNs.current()) {
      assertThat(named.path()).isEqualTo(t.path().toString());
      assertThat(proc.isSameAs(current)).isTrue();
      assertThat(named.isSameAs(current)).isFalse();
      long expected = ((Number) Files.getAttribute(t.path(), "unix:ino")).longValue();
      assertThat(named.inode()).isEqualTo(expected);
      named.close();
      named.close(); // idempotent
      assertThatThrownBy(named::fd).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void identityIsTheNsfsDeviceAndInodeAndNeedsNoOpenFd() throws Exception {
    try (TestNamespace t = TestNamespace.create();
        NetNs named = NetNs.open(t.path())) {
      NetNs.Identity expected =
          new NetNs.Identity(
              ((Number) Files.getAttribute(t.path(), "unix:dev")).longValue(),
              ((Number) Files.getAttribute(t.path(), "unix:ino")).longValue());
      assertThat(named.identity()).isEqualTo(expected);
      assertThat(NetNs.identityOf(t.path())).isEqualTo(expected);
      assertThat(named.duplicate())
          .satisfies(
              d -> {
                try (d) {
                  assertThat(d.identity()).isEqualTo(expected);
                  assertThat(d.isSameAs(named)).isTrue();
                }
              });
      Path self = Path.of("/proc/thread-self/ns/net");
      NetNs.Identity here =
          new NetNs.Identity(
              ((Number) Files.getAttribute(self, "unix:dev")).longValue(),
              ((Number) Files.getAttribute(self, "unix:ino")).longValue());
      assertThat(NetNs.currentThreadIdentity()).isEqualTo(here).isNotEqualTo(expected);
      assertThat(named.call(NetNs::currentThreadIdentity)).isEqualTo(expected);

      long fds;
      try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
        fds = s.count();
      }
      for (int i = 0; i < 50; i++) {
        NetNs.identityOf(t.path());
      }
      try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
        // Other JVM threads may open or close a file meanwhile; a leak would add 50.
        assertThat(s.count()).isLessThan(fds + 10);
      }
      assertThatThrownBy(() -> NetNs.identityOf(Path.of("/proc/self/ns/mnt")))
          .isInstanceOf(InvalidNamespaceException.class);
    }
  }

  @Test
  void createAndDeleteNamedNamespaces() {
    String name = "cjt-named-" + UUID.randomUUID().toString().substring(0, 6);
    try (NetNs ns = NetNs.createNamed(name);
        Netlink nl = Netlink.openIn(ns)) {
      assertThat(Processes.run(List.of("ip", "netns", "list"), Duration.ofSeconds(10)))
          .contains(name);
      assertThat(nl.links()).extracting(l -> l.name().value()).containsExactly("lo");
      try (NetNs current = NetNs.current()) {
        assertThat(ns.isSameAs(current)).isFalse();
      }
      assertThatThrownBy(() -> NetNs.createNamed(name))
          .isInstanceOfSatisfying(
              NetnsException.class, e -> assertThat(e.isAlreadyExists()).isTrue());
    } finally {
      assertThat(NetNs.deleteNamed(name)).isTrue();
    }
    assertThat(NetNs.deleteNamed(name)).isFalse();
    assertThat(Files.exists(Path.of("/var/run/netns", name))).isFalse();
    assertThatThrownBy(() -> NetNs.createNamed("../etc"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void missingPathIsTyped() {
    assertThatThrownBy(() -> NetNs.open(Path.of("/var/run/netns/cjt-does-not-exist")))
        .isInstanceOfSatisfying(
            InvalidNamespaceException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.MISSING);
              assertThat(e.getMessage()).contains("/var/run/netns/cjt-does-not-exist");
            });
  }

  @Test
  void regularFileIsTyped(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-netns"), "x");
    assertThatThrownBy(() -> NetNs.open(file))
        .isInstanceOfSatisfying(
            InvalidNamespaceException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.NOT_A_NAMESPACE);
              assertThat(e.getMessage()).contains(file.toString());
            });
  }

  @Test
  void directoryIsTyped(@TempDir Path dir) {
    assertThatThrownBy(() -> NetNs.open(dir))
        .isInstanceOfSatisfying(
            InvalidNamespaceException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.DIRECTORY));
  }

  @Test
  void namespaceOfAnotherTypeIsTyped() {
    assertThatThrownBy(() -> NetNs.open(Path.of("/proc/self/ns/mnt")))
        .isInstanceOfSatisfying(
            InvalidNamespaceException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.WRONG_NAMESPACE_TYPE));
  }

  @Test
  void callRunsInsideTheNamespaceOnAThrowawayThread() throws Exception {
    try (TestNamespace t = TestNamespace.create();
        NetNs ns = NetNs.open(t.path())) {
      String caller = Thread.currentThread().getName();
      long inside =
          ns.call(
              () -> {
                assertThat(Thread.currentThread().getName()).isNotEqualTo(caller);
                return ((Number)
                        Files.getAttribute(Path.of("/proc/thread-self/ns/net"), "unix:ino"))
                    .longValue();
              });
      assertThat(inside).isEqualTo(ns.inode());
      long here =
          ((Number) Files.getAttribute(Path.of("/proc/thread-self/ns/net"), "unix:ino"))
              .longValue();
      assertThat(here).isNotEqualTo(ns.inode());
    }
  }
}
