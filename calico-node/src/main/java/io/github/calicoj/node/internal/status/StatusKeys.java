package io.github.calicoj.node.internal.status;

import static com.google.common.base.Preconditions.checkArgument;

import io.github.calicoj.datastore.Key;

/**
 * The keys the agent writes (those Felix 1.3/1.4 wrote), and calicoj's sync marker. Stateless.
 *
 * <ul>
 *   <li>{@code /calico/felix/v1/host/<host>/status} and {@code .../last_reported_status}: the
 *       host's status;
 *   <li>{@code /calico/felix/v1/host/<host>/workload/<orch>/<workload>/endpoint/<id>}: a local
 *       endpoint's status, at the endpoint key's path under {@code /calico/felix/v1/host/};
 *   <li>{@code /calicoj/v1/node/<host>/sync}: written by {@code awaitInSync}, outside Calico's
 *       tree.
 * </ul>
 */
public final class StatusKeys {
  private static final String ENDPOINTS = "/calico/v1/host/";
  private static final String FELIX = "/calico/felix/v1/host/";

  private StatusKeys() {}

  /** The host's status key (with the lease's TTL). */
  public static Key hostStatus(String hostname) {
    return Key.of(FELIX + hostname + "/status");
  }

  /** The host's last status, kept without a TTL. */
  public static Key lastReportedStatus(String hostname) {
    return Key.of(FELIX + hostname + "/last_reported_status");
  }

  /** The prefix of every endpoint status of the host. */
  public static Key endpointStatuses(String hostname) {
    return Key.of(FELIX + hostname + "/workload/");
  }

  /**
   * The status key of the endpoint stored at {@code endpointKey}.
   *
   * @throws IllegalArgumentException if {@code endpointKey} is not under {@code /calico/v1/host/}
   */
  public static Key endpointStatus(String endpointKey) {
    checkArgument(endpointKey.startsWith(ENDPOINTS), "Not an endpoint key: %s", endpointKey);
    return Key.of(FELIX + endpointKey.substring(ENDPOINTS.length()));
  }

  /** The endpoint key whose status is stored at {@code statusKey}. */
  public static String endpointOf(Key statusKey) {
    checkArgument(statusKey.path().startsWith(FELIX), "Not a status key: %s", statusKey);
    return ENDPOINTS + statusKey.path().substring(FELIX.length());
  }

  /** The sync marker of the host's agent. */
  public static Key syncMarker(String hostname) {
    return Key.of("/calicoj/v1/node/" + hostname + "/sync");
  }
}
