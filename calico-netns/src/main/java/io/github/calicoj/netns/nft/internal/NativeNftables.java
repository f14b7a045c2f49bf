package io.github.calicoj.netns.nft.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.internal.NetlinkSocket;
import io.github.calicoj.netns.internal.msg.NlMessage;
import io.github.calicoj.netns.nft.NftCommands;
import io.github.calicoj.netns.nft.NftElements;
import io.github.calicoj.netns.nft.Nftables;
import io.github.calicoj.netns.nft.NftablesException;
import io.github.calicoj.netns.nft.NftablesSupport;
import java.nio.BufferOverflowException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * {@link Nftables} over one libnftables context and one NETLINK_NETFILTER socket that live on their
 * own {@link NamespaceThread} ({@link NftState}): JSON documents go through libnftables on that
 * thread, raw batches straight to the kernel ({@link NftNetlink}) through the socket, from the
 * caller's thread when that thread is idle, in the order they were submitted. Thread-safe: callers
 * hand libnftables commands to that thread and wait, bounded, for the result.
 */
public final class NativeNftables implements Nftables {
  private static final int RUN_FLAGS = NftContext.OUTPUT_JSON | NftContext.OUTPUT_HANDLE;

  private final NamespaceThread<NftState> thread;
  // The thread's NETLINK_NETFILTER socket: bound to the namespace, usable from any thread.
  private final NetlinkSocket netfilter;
  private final Duration timeout;

  private NativeNftables(
      NamespaceThread<NftState> thread, NetlinkSocket netfilter, Duration timeout) {
    this.thread = thread;
    this.netfilter = netfilter;
    this.timeout = timeout;
  }

  /** See {@link Nftables#open(NetNs, Duration)}. */
  public static Nftables open(NetNs ns, Duration timeout) {
    requireNonNull(ns, "ns");
    requireNonNull(timeout, "timeout");
    checkArgument(
        !timeout.isNegative() && !timeout.isZero(), "timeout must be positive: %s", timeout);
    NftablesSupport.ensureAvailable();
    AtomicReference<@Nullable NetlinkSocket> netfilter = new AtomicReference<>();
    NamespaceThread<NftState> thread =
        NamespaceThread.start(
            ns,
            "calicoj-nft",
            () -> {
              NftState state = NftState.create(timeout);
              netfilter.set(state.netfilter());
              return state;
            },
            NftState::free,
            timeout);
    return new NativeNftables(thread, requireNonNull(netfilter.get()), timeout);
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
      pending = thread.submit(state -> state.context().run(command, flags, dryRun));
    } catch (IllegalStateException e) {
      throw new IllegalStateException("Nftables handle " + thread.what() + " is closed", e);
    }
    NftContext.Result result = await(operation, json, pending);
    if (result.rc() != 0) {
      throw NftErrors.rejected(operation, json, result.errors());
    }
    return result.output();
  }

  @Override
  public void applyElements(NftElements elements) {
    requireNonNull(elements, "elements");
    if (NftNetlink.batchLength(elements) > NftCommands.MAX_BATCH_BYTES) {
      run(elements.toJson()); // same result; rare (thousands of elements)
      return;
    }
    List<NftNetlink.Message> messages = NftNetlink.messages(elements);
    sendBatch(
        elements.table().toString(),
        elements::toString,
        (buf, first) -> {
          NftNetlink.writeBatch(buf, first, elements);
          return buf.position();
        },
        messages.size(),
        refused -> NftErrors.refusedElements(elements, messages, refused),
        () -> new IllegalStateException("Element batch longer than its computed length"));
  }

  @Override
  public void apply(NftCommands commands) {
    requireNonNull(commands, "commands");
    // The write into the socket's send buffer (MAX_BATCH_BYTES) decides whether the batch fits:
    // it is encoded once, and nothing is sent if it overflows.
    sendBatch(
        commands.table().toString(),
        commands::toString,
        (buf, first) -> {
          NftNetlink.writeCommands(buf, first, commands);
          return buf.position();
        },
        commands.commands().size(),
        refused -> NftErrors.refusedCommands(commands, refused),
        () ->
            new IllegalArgumentException(
                "Commands longer than one batch ("
                    + NftCommands.MAX_BATCH_BYTES
                    + " bytes): "
                    + NftErrors.excerpt(commands.toString(), 200)));
  }

  /**
   * Sends one raw batch and waits for its answers, bounded: on the calling thread through the
   * handle's socket if the handle's thread is idle (no hand-off), else as a task of that thread
   * after the work queued before it; throws the kernel's refusal as {@code refusal} names it, or
   * {@code tooLong}'s exception if the batch does not fit in the socket's send buffer (then nothing
   * was sent). {@code command} describes the batch for an error message, only written when one is.
   */
  private void sendBatch(
      String subject,
      Supplier<String> command,
      NetlinkSocket.BatchRequest writer,
      int requests,
      Function<Map<Integer, NlMessage>, NftablesException> refusal,
      Supplier<RuntimeException> tooLong) {
    Function<NetlinkSocket, @Nullable Outcome> send =
        socket -> {
          Map<Integer, NlMessage> refused;
          try {
            refused = socket.requestBatch("nfnetlink", subject, writer, requests);
          } catch (BufferOverflowException e) {
            return Outcome.TOO_LONG;
          }
          return refused.isEmpty() ? null : new Outcome(refusal.apply(refused));
        };
    @Nullable Outcome outcome;
    try {
      List<@Nullable Outcome> here = new ArrayList<>(1);
      if (thread.runHereIfIdle(() -> here.add(send.apply(netfilter)))) {
        outcome = here.get(0);
      } else {
        CompletableFuture<@Nullable Outcome> pending =
            thread.submit(state -> send.apply(state.netfilter()));
        outcome = await("nfnetlink", command, pending);
      }
    } catch (IllegalStateException e) {
      if (thread.isOpen()) {
        throw e;
      }
      throw new IllegalStateException("Nftables handle " + thread.what() + " is closed", e);
    }
    if (outcome != null) {
      NftablesException refused = outcome.refused();
      throw refused != null ? refused : tooLong.get();
    }
  }

  /** A raw batch that was not committed: refused by the kernel, or (null) too long to send. */
  private record Outcome(@Nullable NftablesException refused) {
    static final Outcome TOO_LONG = new Outcome(null);
  }

  /** Waits, bounded, for a task of the handle's thread. */
  private <T> T await(String operation, String command, CompletableFuture<T> pending) {
    return await(operation, () -> command, pending);
  }

  /** {@link #await(String, String, CompletableFuture)} with the command's text made on failure. */
  private <T> T await(String operation, Supplier<String> command, CompletableFuture<T> pending) {
    try {
      return pending.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw NftErrors.noAnswer(operation, command.get(), "interrupted while waiting", e);
    } catch (TimeoutException e) {
      throw NftErrors.noAnswer(operation, command.get(), "no answer within " + timeout, e);
    } catch (ExecutionException e) {
      Throwable cause = NamespaceThread.uncheckedCause(e);
      throw new NftablesException(
          operation, command.get(), 0, "", String.valueOf(cause), "", false, cause);
    }
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
