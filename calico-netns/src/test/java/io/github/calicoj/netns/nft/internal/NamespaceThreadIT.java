package io.github.calicoj.netns.nft.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.calicoj.netns.NetNs;
import io.github.calicoj.testkit.Requirements;
import io.github.calicoj.testkit.TestNamespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The namespace-bound thread under every nftables handle. Root (setns needs CAP_SYS_ADMIN). */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class NamespaceThreadIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private static String threadNs() {
    try {
      return Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean alive(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().startsWith(prefix + "-"));
  }

  @Test
  void bodiesRunInOrderOnOneThreadInsideTheNamespaceAndTheStateIsDestroyedThere() throws Exception {
    Requirements.requireRoot();
    String callerNs = threadNs();
    AtomicReference<String> destroyedOn = new AtomicReference<>();
    try (TestNamespace target = TestNamespace.create();
        NetNs ns = NetNs.open(target.path())) {
      String expectedNs = "net:[" + ns.inode() + "]";
      NamespaceThread<List<Integer>> t =
          NamespaceThread.start(
              ns,
              "cjt-nsthread",
              ArrayList::new,
              s -> destroyedOn.set(Thread.currentThread().getName() + " " + threadNs()),
              TIMEOUT);
      List<CompletableFuture<String>> results = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        int n = i;
        results.add(
            t.submit(
                s -> {
                  s.add(n);
                  return Thread.currentThread().getName() + " " + threadNs();
                }));
      }
      CompletableFuture<List<Integer>> seen = t.submit(List::copyOf);
      for (CompletableFuture<String> r : results) {
        assertThat(r.get(20, TimeUnit.SECONDS)).startsWith("cjt-nsthread-").endsWith(expectedNs);
      }
      assertThat(results.stream().map(CompletableFuture::join).distinct()).hasSize(1);
      List<Integer> order = seen.get(20, TimeUnit.SECONDS);
      assertThat(order).hasSize(100).isSorted();
      assertThat(threadNs()).isEqualTo(callerNs);

      t.close();
      t.close();
      assertThat(t.isOpen()).isFalse();
      assertThat(destroyedOn.get()).isEqualTo(results.get(0).join());
      assertThat(alive("cjt-nsthread")).isFalse();
      assertThatThrownBy(() -> t.submit(s -> 1))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
    }
  }

  @Test
  void aFailingBodyReachesItsCallerAndTheThreadGoesOn() throws Exception {
    Requirements.requireRoot();
    try (NetNs ns = NetNs.current()) {
      NamespaceThread<String> t =
          NamespaceThread.start(ns, "cjt-nsfail", () -> "s", s -> {}, TIMEOUT);
      try {
        CompletableFuture<Integer> bad =
            t.submit(
                s -> {
                  throw new IllegalArgumentException("boom");
                });
        assertThatThrownBy(() -> bad.get(20, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(IllegalArgumentException.class);
        assertThat(t.submit(s -> s + "!").get(20, TimeUnit.SECONDS)).isEqualTo("s!");
      } finally {
        t.close();
      }
    }
  }

  @Test
  void aFailingInitFailsTheStartAndLeavesNoThread() {
    Requirements.requireRoot();
    try (NetNs ns = NetNs.current()) {
      assertThatThrownBy(
              () ->
                  NamespaceThread.start(
                      ns,
                      "cjt-nsinit",
                      () -> {
                        throw new IllegalStateException("init failed");
                      },
                      s -> {},
                      TIMEOUT))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("init failed");
      assertThat(alive("cjt-nsinit")).isFalse();
    }
  }

  @Test
  void aBodyRunsOnTheCallersThreadOnlyWhenIdleAndKeepsItsTurnWithTheTasks() throws Exception {
    Requirements.requireRoot();
    String callerNs = threadNs();
    try (TestNamespace target = TestNamespace.create();
        NetNs ns = NetNs.open(target.path())) {
      NamespaceThread<List<String>> t =
          NamespaceThread.start(ns, "cjt-nsthread", ArrayList::new, s -> {}, TIMEOUT);
      List<String> log = Collections.synchronizedList(new ArrayList<>());
      // Idle: the body runs here, in the caller's namespace.
      AtomicReference<String> ranOn = new AtomicReference<>();
      assertThat(t.runHereIfIdle(() -> ranOn.set(Thread.currentThread().getName() + threadNs())))
          .isTrue();
      assertThat(ranOn.get()).isEqualTo(Thread.currentThread().getName() + callerNs);
      // Busy: a task holds the thread, so the body is refused (not run) and must be submitted.
      CompletableFuture<Void> release = new CompletableFuture<>();
      CompletableFuture<Void> busy = t.submit(s -> release.join());
      CompletableFuture<Boolean> queued = t.submit(s -> log.add("queued"));
      assertThat(t.runHereIfIdle(() -> log.add("here"))).isFalse();
      release.complete(null);
      queued.get(20, TimeUnit.SECONDS);
      assertThat(busy.get(20, TimeUnit.SECONDS)).isNull();
      // While a body runs here, a task submitted meanwhile waits for it.
      assertThat(
              t.runHereIfIdle(
                  () -> {
                    CompletableFuture<Boolean> after = t.submit(s -> log.add("after"));
                    try {
                      Thread.sleep(200);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                    assertThat(after).isNotDone();
                    log.add("body");
                  }))
          .isTrue();
      t.submit(s -> true).get(20, TimeUnit.SECONDS);
      assertThat(log).containsExactly("queued", "body", "after");
      t.close();
      assertThatThrownBy(() -> t.runHereIfIdle(() -> {})).isInstanceOf(IllegalStateException.class);
    }
  }
}
