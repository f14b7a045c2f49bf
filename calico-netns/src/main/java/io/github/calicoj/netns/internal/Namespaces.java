package io.github.calicoj.netns.internal;

import io.github.calicoj.netns.NetnsException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Running code inside another network namespace, under the JVM's thread rule.
 *
 * <p>{@code setns(2)} moves only the calling OS thread, and a thread started by a switched thread
 * inherits the switch. So a switch never happens on a caller's or a pool's thread. Two kinds of
 * thread do it:
 *
 * <ul>
 *   <li>The <b>switcher</b>: one dedicated daemon platform thread for calico-netns's own short
 *       bodies ({@code socket()}, a sysctl file write). It enters the target, runs the body,
 *       returns to the namespace it was born in, and takes the next request. If it cannot return,
 *       it fails its queued requests over, and ends; the next request starts a new switcher from
 *       the (healthy) calling thread. Starting a thread costs ~0.5 ms on a small VM, so reusing one
 *       keeps a workload add well under a millisecond. A caller may queue a body and wait for it
 *       later ({@link #submitToSwitcher}), so that the handoff overlaps with its own work.
 *   <li>A <b>fresh thread per call</b> for user bodies ({@code NetNs.call}), which may take long:
 *       it ends after its one call.
 * </ul>
 *
 * <p>Bodies must not start threads or run user callbacks while switched, since a started thread
 * would inherit the foreign namespace.
 */
public final class Namespaces {
  private static final Logger LOG = LoggerFactory.getLogger(Namespaces.class);
  private static final AtomicInteger THREADS = new AtomicInteger();

  /** How long a switched call may take; socket() and a sysctl write take microseconds. */
  public static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private static final Object LOCK = new Object();
  private static @Nullable Switcher switcher; // guarded by LOCK; replaced when it dies

  private Namespaces() {}

  /**
   * Runs a short calico-netns body on the switcher thread inside the namespace of {@code targetFd},
   * and returns its result.
   *
   * @param what describes the target, for errors
   * @throws NetnsException if the namespace cannot be entered, or as thrown by the body
   */
  public static <T> T callOnSwitcher(int targetFd, String what, Callable<T> body) {
    for (int attempt = 0; attempt < 3; attempt++) {
      Switcher s;
      synchronized (LOCK) {
        if (switcher == null || switcher.dead) {
          switcher = new Switcher();
        }
        s = switcher;
      }
      Task<T> task = new Task<>(targetFd, what, body);
      if (!s.offer(task)) {
        continue; // it died between our check and the offer
      }
      try {
        return await(task.result, what);
      } catch (SwitcherDied e) {
        // queued behind a body after which the thread could not go home: try a new switcher
      }
    }
    throw new NetnsException(
        "setns", what, 0, "", "the namespace switcher thread kept failing", null, null);
  }

  /**
   * Queues a short calico-netns body for the switcher thread without waiting, so that the caller
   * can do other work (such as creating a veth) while the switcher enters the namespace. One
   * attempt: if the switcher dies before running it, the future fails, and {@link #await} runs the
   * body again on a new switcher, started from the waiting (healthy) thread.
   */
  public static <T> CompletableFuture<T> submitToSwitcher(
      int targetFd, String what, Callable<T> body) {
    Switcher s;
    synchronized (LOCK) {
      if (switcher == null || switcher.dead) {
        switcher = new Switcher(); // from the caller's thread, which is in its own namespace
      }
      s = switcher;
    }
    Task<T> task = new Task<>(targetFd, what, body);
    if (!s.offer(task)) {
      task.result.completeExceptionally(new SwitcherDied());
    }
    return task.result;
  }

  /**
   * Waits (at most {@link #CALL_TIMEOUT}) for a body queued by {@link #submitToSwitcher}; if the
   * switcher died before running it, runs {@code retry} on a healthy switcher instead.
   *
   * @throws NetnsException as the body threw, or if the wait timed out or was interrupted
   */
  public static <T> T await(
      CompletableFuture<T> submitted, int targetFd, String what, Callable<T> retry) {
    try {
      return await(submitted, what);
    } catch (SwitcherDied e) {
      return callOnSwitcher(targetFd, what, retry);
    }
  }

  /**
   * Runs {@code body} on a new platform thread inside the namespace of {@code targetFd}; the thread
   * ends after the call.
   */
  public static <T> T callOnFreshThread(int targetFd, String what, Callable<T> body) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              int home = openHome();
              try {
                result.complete(switched(targetFd, home, what, body));
              } catch (Throwable e) {
                result.completeExceptionally(e);
              } finally {
                Native.libc().close(home);
              }
            },
            "calicoj-netns-call-" + THREADS.incrementAndGet());
    t.setDaemon(true);
    t.start();
    return await(result, what);
  }

  /**
   * {@code ip netns add}: on a thread made for it (and ended after it), unshares a new network
   * namespace and bind-mounts it onto {@code target}, an existing empty file.
   */
  public static void createAt(Path target) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                LibC c = Native.libc();
                if (c.unshare(Native.CLONE_NEWNET) != 0) {
                  throw Native.error("unshare", "CLONE_NEWNET", Native.errno(), null);
                }
                if (c.mount(
                        "/proc/thread-self/ns/net", target.toString(), "none", Native.MS_BIND, null)
                    != 0) {
                  throw Native.error("mount", target.toString(), Native.errno(), null);
                }
                done.complete(null);
              } catch (Throwable e) {
                done.completeExceptionally(e);
              }
              // This thread is in the new namespace now; it ends here and is never reused.
            },
            "calicoj-netns-create-" + THREADS.incrementAndGet());
    t.setDaemon(true);
    t.start();
    await(done, "netns " + target);
  }

  /** {@code umount2(target, MNT_DETACH)}. */
  public static void unmount(Path target) {
    if (Native.libc().umount2(target.toString(), Native.MNT_DETACH) != 0) {
      throw Native.error("umount2", target.toString(), Native.errno(), null);
    }
  }

  /** Creates a netlink socket bound to the namespace of {@code targetFd}; returns the raw fd. */
  public static int socketIn(int targetFd, String what) {
    return callOnSwitcher(targetFd, what, NetlinkSocket::rawSocket);
  }

  private static <T> T await(CompletableFuture<T> result, String what) {
    try {
      return result.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NetnsException("setns", what, 0, "", "interrupted while waiting", null, e);
    } catch (TimeoutException e) {
      throw new NetnsException(
          "setns", what, 0, "", "switched call did not finish within " + CALL_TIMEOUT, null, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new NetnsException("call in netns", what, 0, "", String.valueOf(cause), null, cause);
    }
  }

  private static int openHome() {
    int home = Native.libc().open("/proc/thread-self/ns/net", Native.O_RDONLY | Native.O_CLOEXEC);
    if (home < 0) {
      throw Native.error("open", "/proc/thread-self/ns/net", Native.errno(), null);
    }
    return home;
  }

  /**
   * Enters the target, runs the body, goes home. Throws {@link Stranded} (after the body's result
   * or failure is recorded by the caller) if going home failed.
   */
  private static <T> @Nullable T switched(int targetFd, int home, String what, Callable<T> body)
      throws Exception {
    LibC c = Native.libc();
    if (c.setns(targetFd, Native.CLONE_NEWNET) != 0) {
      throw Native.error("setns", what, Native.errno(), null);
    }
    T value = null;
    Throwable failure = null;
    try {
      value = body.call();
    } catch (Throwable e) {
      failure = e;
    }
    if (c.setns(home, Native.CLONE_NEWNET) != 0) {
      int errno = Native.errno();
      LOG.error(
          "Thread {} could not return from {} (errno {}); it ends now",
          Thread.currentThread().getName(),
          what,
          errno);
      throw new Stranded(errno);
    }
    if (failure instanceof Exception e) {
      throw e;
    }
    if (failure instanceof Error e) {
      throw e;
    }
    return value;
  }

  /** The thread could not return home; it must end. */
  private static final class Stranded extends Error {
    private static final long serialVersionUID = 1L;

    final int errno;

    Stranded(int errno) {
      super("could not return to the home namespace, errno " + errno, null, false, false);
      this.errno = errno;
    }
  }

  /** A queued request was not run because the switcher died first. */
  private static final class SwitcherDied extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SwitcherDied() {
      super("switcher died", null, false, false);
    }
  }

  private record Task<T>(int targetFd, String what, Callable<T> body, CompletableFuture<T> result) {
    Task(int targetFd, String what, Callable<T> body) {
      this(targetFd, what, body, new CompletableFuture<>());
    }
  }

  /** The dedicated switching thread and its queue. */
  private static final class Switcher implements Runnable {
    private final BlockingQueue<Task<?>> queue = new LinkedBlockingQueue<>();
    private volatile boolean dead;

    Switcher() {
      Thread t = new Thread(this, "calicoj-netns-switcher-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      t.start();
    }

    boolean offer(Task<?> task) {
      synchronized (this) {
        if (dead) {
          return false;
        }
        return queue.offer(task);
      }
    }

    @Override
    public void run() {
      int home;
      try {
        home = openHome();
      } catch (RuntimeException e) {
        die(e);
        return;
      }
      try {
        while (true) {
          Task<?> task = queue.take();
          if (!runOne(task, home)) {
            return;
          }
        }
      } catch (InterruptedException e) {
        die(e); // nobody interrupts this thread; end cleanly if someone does
      } finally {
        Native.libc().close(home);
      }
    }

    private <T> boolean runOne(Task<T> task, int home) {
      try {
        task.result.complete(switched(task.targetFd, home, task.what, task.body));
        return true;
      } catch (Stranded e) {
        task.result.completeExceptionally(
            Native.error("setns", "home namespace after " + task.what, e.errno, null));
        die(e);
        return false;
      } catch (Throwable e) {
        task.result.completeExceptionally(e);
        return true;
      }
    }

    private void die(Throwable why) {
      synchronized (this) {
        dead = true;
      }
      LOG.debug("Namespace switcher ends: {}", why.toString());
      Task<?> queued;
      while ((queued = queue.poll()) != null) {
        queued.result.completeExceptionally(new SwitcherDied());
      }
    }
  }
}
