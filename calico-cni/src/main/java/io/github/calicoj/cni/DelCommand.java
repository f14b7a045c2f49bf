package io.github.calicoj.cni;

import io.github.calicoj.core.client.CalicoClient;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.datastore.DatastoreUnavailableException;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DEL: idempotent removal. The SDK's remove deletes the container's endpoint and marker and
 * releases their addresses in one transaction, then its veth, then any cali pair a killed ADD left
 * in the namespace (if the namespace still exists); then every address its handle still holds is
 * released. Nothing to remove is success: a container never added, one whose namespace is gone, one
 * whose ADD failed (and rolled back). The network's profile stays, for the network's other
 * containers.
 *
 * <p>If etcd does not answer: a DEL with a {@code prevResult} (an ADD succeeded, so an endpoint and
 * its addresses are stored) fails with {@link CniCode#TRY_AGAIN_LATER}; a DEL without one succeeds,
 * since a failed ADD rolled back what it wrote (the runtime sends exactly this DEL after a failed
 * ADD). The one exception, an ADD whose final write etcd applied without confirming it, leaves an
 * endpoint whose veth is gone; the SDK removes such dead endpoints when the workload is touched
 * again. Stateless.
 */
final class DelCommand {
  private static final Logger LOG = LoggerFactory.getLogger(DelCommand.class);

  private DelCommand() {}

  /** Removes the container; see the class comment. */
  static void run(CniEnvironment env, NetConf conf, CalicoSession session) {
    CalicoClient client = session.client();
    String handle = CalicoSession.handle(conf.name, env.containerId());
    try {
      List<WorkloadEndpoint> removed = client.removeWorkload(CalicoSession.workload(env));
      int released = client.ipam().releaseByHandle(handle);
      LOG.info(
          "DEL {}: removed {} endpoint(s), released {} more address(es) of handle {}",
          env.containerId(),
          removed.size(),
          released,
          handle);
    } catch (RuntimeException e) {
      DatastoreUnavailableException down = unavailable(e);
      if (down == null) {
        throw e;
      }
      if (conf.hasPrevResult()) {
        throw new CniException(
            CniCode.TRY_AGAIN_LATER,
            "DEL of container "
                + env.containerId()
                + ": etcd did not answer, and the container's endpoint and addresses (an ADD of it"
                + " succeeded) are still stored: "
                + down.getMessage(),
            Failures.details(e),
            e);
      }
      LOG.warn(
          "DEL {}: etcd did not answer ({}); no ADD of it succeeded (no prevResult), and a failed"
              + " ADD rolls back what it wrote, so there is nothing to remove",
          env.containerId(),
          down.getMessage());
    }
  }

  /** The datastore's unavailability behind {@code e}, if that is what it is. */
  private static @Nullable DatastoreUnavailableException unavailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof DatastoreUnavailableException d) {
        return d;
      }
    }
    return null;
  }
}
