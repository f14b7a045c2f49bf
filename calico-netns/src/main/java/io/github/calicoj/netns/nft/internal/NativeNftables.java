package io.github.calicoj.netns.nft.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.nft.Nftables;
import io.github.calicoj.netns.nft.NftablesException;
import io.github.calicoj.netns.nft.NftablesSupport;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link Nftables} over one libnftables context that lives on its own {@link NamespaceThread}.
 * Thread-safe: callers hand commands to that thread and wait, bounded, for the result.
 */
public final class NativeNftables implements Nftables {
  private static final int RUN_FLAGS = NftContext.OUTPUT_JSON | NftContext.OUTPUT_HANDLE;

  private final NamespaceThread<NftContext> thread;
  private final Duration timeout;

  private NativeNftables(NamespaceThread<NftContext> thread, Duration timeout) {
    this.thread = thread;
    this.timeout = timeout;
  }

  /** See {@link Nftables#open(NetNs, Duration)}. */
  public static Nftables open(NetNs ns, Duration timeout) {
    requireNonNull(ns, "ns");
    requireNonNull(timeout, "timeout");
    checkArgument(
        !timeout.isNegative() && !timeout.isZero(), "timeout must be positive: %s", timeout);
    NftablesSupport.ensureAvailable();
    return new NativeNftables(
        NamespaceThread.start(ns, "calicoj-nft", NftContext::create, NftContext::free, timeout),
        timeout);
  }

  @Override
  public String run(String json) {
    return execute("nft", json, RUN_FLAGS, false);
  }

  @Override
  public String runEcho(String json) {
    return execute("nft --echo", json, RUN_FLAGS | NftContext.OUTPUT_ECHO, false);
  }

  @Override
  public void check(String json) {
    execute("nft --check", json, RUN_FLAGS, true);
  }

  private String execute(String operation, String json, int flags, boolean dryRun) {
    byte[] command = NftJson.documentBytes(json);
    CompletableFuture<NftContext.Result> pending;
    try {
      pending = thread.submit(ctx -> ctx.run(command, flags, dryRun));
    } catch (IllegalStateException e) {
      throw new IllegalStateException("Nftables handle " + thread.what() + " is closed", e);
    }
    NftContext.Result result;
    try {
      result = pending.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw NftErrors.noAnswer(operation, json, "interrupted while waiting", e);
    } catch (TimeoutException e) {
      throw NftErrors.noAnswer(operation, json, "no answer within " + timeout, e);
    } catch (ExecutionException e) {
      Throwable cause = NamespaceThread.uncheckedCause(e);
      throw new NftablesException(operation, json, 0, "", String.valueOf(cause), "", false, cause);
    }
    if (result.rc() != 0) {
      throw NftErrors.rejected(operation, json, result.errors());
    }
    return result.output();
  }

  @Override
  public void close() {
    thread.close();
  }

  @Override
  public String toString() {
    return "Nftables{" + thread.what() + (thread.isOpen() ? "" : ", closed") + "}";
  }
}
