package io.github.calicoj.core.client;

import com.google.common.base.Throwables;
import io.github.calicoj.core.CalicoException;
import io.github.calicoj.core.CalicoException.Reason;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.ipam.BlockChange;
import io.github.calicoj.core.ipam.BlockJson;
import io.github.calicoj.core.ipam.IpamChange;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.core.repository.WorkloadEndpoints;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Guard;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.Revision;
import io.github.calicoj.datastore.Transaction;
import io.github.calicoj.datastore.TxnResult;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Makes sure an add's transaction whose outcome is unknown can never apply later. The add was
 * guarded on its block's revision; the fence rewrites that block unchanged, guarded on the same
 * revision. If the fence succeeds, the add did not apply and now never will (the revision has moved
 * on). If the fence's guard fails, the block moved on already: by the add itself (its endpoint is
 * then there, and is removed) or by another writer (which rules the add out as well).
 *
 * <p>The fence runs on another thread and is waited for at most the rollback wait, so a command
 * ends in time even when the datastore does not answer; what the datastore may then still apply is
 * an endpoint without its cali link, which the next add or remove of that workload removes.
 * Thread-safe.
 */
final class CommitFence {
  private final Datastore datastore;
  private final ContainerRemove remove;
  private final ExecutorService background;
  private final long waitNanos;

  CommitFence(
      Datastore datastore, ContainerRemove remove, ExecutorService background, Duration wait) {
    this.datastore = datastore;
    this.remove = remove;
    this.background = background;
    this.waitNanos = wait.toNanos();
  }

  /**
   * Fences the add of {@code endpoint} that {@code change} was committed with.
   *
   * @throws CalicoException ({@link Reason#OUTCOME_UNKNOWN}) if the datastore did not answer in
   *     time
   */
  void fence(WorkloadEndpoint endpoint, IpamChange change) {
    Key block = CalicoKeys.block(change.block());
    Key workload =
        CalicoKeys.workload(endpoint.hostname(), endpoint.orchestratorId(), endpoint.workloadId());
    Key mine = WorkloadEndpoints.keyOf(endpoint);
    Future<?> work =
        background.submit(
            () -> {
              // Rewriting the block as it was planned on (a new block: creating it, empty and
              // claimed, the one trace a fence can leave) makes the add's guard fail forever.
              BlockChange planned = change.change();
              Revision base = planned.baseRevision();
              Transaction.Builder txn =
                  Transaction.builder()
                      .guard(base == null ? Guard.absent(block) : Guard.atRevision(block, base))
                      .put(block, BlockJson.write(planned.base()))
                      .readPrefix(workload);
              if (base == null) {
                planned
                    .base()
                    .affinityHost()
                    .ifPresent(h -> txn.put(CalicoKeys.affinity(h, change.block()), ""));
              }
              TxnResult r = datastore.commit(txn.build());
              if (!r.succeeded()
                  && r.read(workload).stream().anyMatch(kv -> kv.key().equals(mine))) {
                remove.removeCommitted(endpoint);
              }
              return null;
            });
    try {
      work.get(waitNanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      work.cancel(true);
      throw new CalicoException(
          Reason.OUTCOME_UNKNOWN,
          "The datastore did not answer within " + Duration.ofNanos(waitNanos),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while fencing an add", e);
    } catch (ExecutionException e) {
      Throwables.throwIfUnchecked(e.getCause());
      throw new IllegalStateException(e.getCause());
    }
  }
}
