package io.github.calicoj.netns.nft.internal;

import static java.util.Objects.requireNonNull;

import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.NetnsException;
import io.github.calicoj.netns.internal.Native;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One platform thread that enters a network namespace when it starts and stays there for the life
 * of its owner, serving that owner's tasks one at a time and nothing else. It holds per-thread
 * state {@code S} (a native context that must live on one thread), made by {@code init} after the
 * switch and destroyed by {@code destroy} before the thread ends.
 *
 * <p>{@code setns(2)} moves only the calling OS thread, and a thread it starts is born in the new
 * namespace; so {@code setns} happens only on a thread created for this purpose, never on a
 * caller's, a pool's or a virtual thread. The thread never goes back to its first namespace, so it
 * cannot be stranded there; it ends at {@link #close()}. Bodies must not start threads (they would
 * inherit the namespace), run user callbacks or log (a logging back end may start its writer thread
 * lazily); this class logs only on callers' threads.
 *
 * <p>Work that needs neither the namespace switch nor the state's thread (a request on a socket
 * already bound to the namespace) may run on the caller's thread instead, in turn with the tasks
 * ({@link #runHereIfIdle}), which saves the hand-off and two wake-ups.
 *
 * <p>Thread-safe: tasks from any number of threads run in submission order. The creator owns the
 * instance and closes it.
 */
public final class NamespaceThread<S> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NamespaceThread.class);
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final String what;
  private final Duration closeTimeout;
  private final BlockingQueue<Task> queue = new LinkedBlockingQueue<>();
  private final Object lock = new Object();
  private final CompletableFuture<Void> started = new CompletableFuture<>();
  private final Thread thread;
  private boolean closed; // guarded by lock
  private int unfinished; // guarded by lock: tasks submitted and not yet run to their end
  // Held while a task, the state's release or a runHereIfIdle body runs: one at a time.
  private final ReentrantLock turn = new ReentrantLock();
  private @Nullable S state; // only touched by the thread
  private volatile @Nullable RuntimeException destroyFailure;

  private NamespaceThread(
      NetNs target, String name, Callable<S> init, Consumer<S> destroy, Duration closeTimeout) {
    this.what = name + " in " + target.path();
    this.closeTimeout = closeTimeout;
    this.thread =
        new Thread(() -> serve(target, init, destroy), name + "-" + THREADS.incrementAndGet());
    this.thread.setDaemon(true);
  }

  /**
   * Starts the thread: it enters {@code ns}, runs {@code init}, and then waits for tasks. Returns
   * once {@code init} has returned. {@code ns} is borrowed only until then (the thread enters it
   * through a duplicate of its fd, which it closes after the switch).
   *
   * @param name the thread's name prefix, e.g. {@code calicoj-nft}
   * @param timeout bound on the start and on {@link #close()}'s wait for the thread to end
   * @throws NetnsException if the namespace cannot be entered, or the start takes longer than
   *     {@code timeout}; or as thrown by {@code init}
   */
  public static <S> NamespaceThread<S> start(
      NetNs ns, String name, Callable<S> init, Consumer<S> destroy, Duration timeout) {
    requireNonNull(init, "init");
    requireNonNull(destroy, "destroy");
    NetNs own = ns.duplicate(); // closed by the thread once it has switched
    NamespaceThread<S> t;
    try {
      t = new NamespaceThread<>(own, name, init, destroy, timeout);
      t.thread.start();
    } catch (RuntimeException | Error e) {
      own.close();
      throw e;
    }
    try {
      t.started.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return t;
    } catch (InterruptedException e) {
      t.close();
      Thread.currentThread().interrupt();
      throw new NetnsException("start", t.what, 0, "", "interrupted while starting", null, e);
    } catch (TimeoutException e) {
      t.close();
      throw new NetnsException(
          "start", t.what, 0, "", "the thread did not start within " + timeout, null, e);
    } catch (ExecutionException e) {
      t.close();
      Throwable cause = uncheckedCause(e);
      throw new NetnsException("start", t.what, 0, "", String.valueOf(cause), null, cause);
    }
  }

  /**
   * Throws the cause of {@code e} if it is unchecked (a body's exception passes through as is);
   * returns a checked cause for the caller to wrap.
   */
  static Throwable uncheckedCause(ExecutionException e) {
    Throwable cause = e.getCause();
    if (cause instanceof RuntimeException re) {
      throw re;
    }
    if (cause instanceof Error err) {
      throw err;
    }
    return cause == null ? e : cause;
  }

  /** The thread's name, and the namespace path it was started in. */
  public String what() {
    return what;
  }

  /**
   * Queues {@code body} to run on the thread with its state; the future completes with its result
   * or its exception.
   *
   * @throws IllegalStateException if closed
   */
  public <T> CompletableFuture<T> submit(Function<S, T> body) {
    requireNonNull(body, "body");
    CompletableFuture<T> result = new CompletableFuture<>();
    Task task =
        new Task(
            () -> {
              try {
                result.complete(body.apply(requireNonNull(state)));
              } catch (Throwable e) {
                result.completeExceptionally(e);
              }
            },
            result);
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException(what + " is closed");
      }
      unfinished++;
      queue.add(task);
    }
    return result;
  }

  /**
   * Runs {@code body} on the calling thread, if no task is queued or running; tasks submitted while
   * it runs wait until it returns, so work keeps the order in which it was handed in. For work that
   * needs neither the namespace switch nor the thread's state. Returns false, without running
   * {@code body}, if the thread has work (then {@link #submit} it); throws what {@code body}
   * throws.
   *
   * @throws IllegalStateException if closed
   */
  public boolean runHereIfIdle(Runnable body) {
    requireNonNull(body, "body");
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException(what + " is closed");
      }
      if (unfinished > 0 || !turn.tryLock()) {
        return false;
      }
    }
    try {
      body.run();
    } finally {
      turn.unlock();
    }
    return true;
  }

  /** True until {@link #close()} has been called. */
  public boolean isOpen() {
    synchronized (lock) {
      return !closed;
    }
  }

  /**
   * Stops the thread after the tasks already queued, and waits for it to end (at most the timeout
   * given at start; a task still running then finishes on its own). Idempotent, thread-safe, never
   * throws.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (!closed) {
        closed = true;
        queue.add(Task.STOP);
      }
    }
    if (Thread.currentThread() == thread) {
      return;
    }
    try {
      thread.join(closeTimeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (thread.isAlive()) {
      LOG.warn("{} still busy {} after close; it ends when its task returns", what, closeTimeout);
    }
    RuntimeException failure = destroyFailure;
    if (failure != null) {
      destroyFailure = null;
      LOG.warn("{}: releasing its state failed", what, failure);
    }
  }

  private void serve(NetNs target, Callable<S> init, Consumer<S> destroy) {
    try {
      try {
        if (Native.libc().setns(target.fd(), Native.CLONE_NEWNET) != 0) {
          throw Native.error("setns", target.path(), Native.errno(), null);
        }
      } finally {
        target.close();
      }
      // From here on this thread lives in the target namespace until it ends.
      state = init.call();
    } catch (Throwable e) {
      started.completeExceptionally(e);
      return;
    }
    started.complete(null);
    try {
      while (true) {
        Task task = queue.take();
        if (task == Task.STOP) {
          return;
        }
        turn.lock();
        try {
          task.run.run();
        } finally {
          turn.unlock();
          synchronized (lock) {
            unfinished--;
          }
        }
      }
    } catch (InterruptedException e) {
      // Nobody interrupts this thread; if someone does, stop taking work and fail what is queued.
      synchronized (lock) {
        closed = true;
      }
      Task queued;
      while ((queued = queue.poll()) != null) {
        if (queued.result != null) {
          queued.result.completeExceptionally(
              new IllegalStateException(what + " was interrupted and stopped"));
        }
      }
    } finally {
      S s = state;
      state = null;
      if (s != null) {
        turn.lock(); // after a runHereIfIdle body that may still use what the state holds
        try {
          destroy.accept(s);
        } catch (RuntimeException e) {
          destroyFailure = e; // logged by close(): no logging on this thread (see the class doc)
        } finally {
          turn.unlock();
        }
      }
    }
  }

  /** A queued body, or the stop marker. */
  private static final class Task {
    static final Task STOP = new Task(() -> {}, null);

    final Runnable run;
    final @Nullable CompletableFuture<?> result;

    Task(Runnable run, @Nullable CompletableFuture<?> result) {
      this.run = run;
      this.result = result;
    }
  }
}
