package io.github.calicoj.core.check;

import static java.util.Objects.requireNonNull;

/**
 * What kind of problem a {@link Finding} is. The order is the order of reports and of repairs: dead
 * workloads first (their removal frees addresses), then conflicts over an address, then what is
 * merely left over.
 */
public enum FindingKind {
  /**
   * An endpoint of this host whose workload is gone: its Docker container does not exist, or its
   * network namespace path is missing or now names another namespace than the one it was added for.
   * Repair: its endpoints and marker are deleted and its addresses freed in one transaction, then
   * its cali links deleted.
   */
  WORKLOAD_GONE("workload-gone", true),

  /**
   * An endpoint of this host with no cali link in the host side's namespace (its workload still
   * exists, or cannot be checked). Endpoints of stopped Docker containers are not reported: their
   * links come back when they start. Repair: when the workload is known to be alive (a running
   * container, or a namespace path that still names the namespace it was added for) and the checker
   * has a restorer (a {@code CalicoClient}'s checker has), its interface is re-plumbed as {@code
   * CalicoClient.restoreContainer} does it: the same name and addresses, a new veth, the endpoint's
   * MAC updated. Otherwise as for {@link #WORKLOAD_GONE}, for the endpoint.
   */
  ENDPOINT_WITHOUT_LINK("endpoint-without-link", true),

  /**
   * One address on two or more endpoints. Repair: the endpoints that do not own the address's
   * allocation are removed (as for {@link #WORKLOAD_GONE}, keeping that address allocated); left to
   * a person when the allocation does not say which endpoint owns it.
   */
  DUPLICATE_IP("duplicate-ip", false),

  /**
   * An endpoint's address allocated under another workload's calicoj handle. Repair: the allocation
   * is handed to the endpoint's workload.
   */
  ENDPOINT_IP_OTHER_OWNER("endpoint-ip-other-owner", false),

  /**
   * An endpoint's address that IPAM has free. Repair: it is assigned to the endpoint's workload.
   */
  ENDPOINT_IP_NOT_ALLOCATED("endpoint-ip-not-allocated", false),

  /** An allocated address that no endpoint holds. Repair: the address is freed. */
  ALLOCATION_WITHOUT_ENDPOINT("allocation-without-endpoint", false),

  /** A workload marker whose workload has no endpoint. Repair: the marker is deleted. */
  MARKER_WITHOUT_ENDPOINT("marker-without-endpoint", false),

  /**
   * A cali veth in the host side's namespace that no endpoint of this host claims (a killed add's
   * or remove's). Repair: the link (and so its peer) is deleted.
   */
  LINK_WITHOUT_ENDPOINT("link-without-endpoint", true),

  /**
   * A block affine to a host, with no allocation in it, for which the host has no affinity marker:
   * none of the host's assignments will choose it, so its addresses are lost to every host. (An
   * empty block whose host has its marker is normal: a remove leaves it for the host's next add.)
   * Repair: the block is deleted.
   */
  EMPTY_AFFINE_BLOCK("empty-affine-block", false),

  /**
   * A handle whose per-block counts disagree with the allocations that carry it (or an allocation's
   * handle that has no handle key). Repair: the handle is rewritten from the blocks.
   */
  HANDLE_MISMATCH("handle-mismatch", false);

  private final String id;
  private final boolean dataplane;

  FindingKind(String id, boolean dataplane) {
    this.id = id;
    this.dataplane = dataplane;
  }

  /** The kind's name in reports and JSON, such as {@code allocation-without-endpoint}. */
  public String id() {
    return id;
  }

  /**
   * True if finding it needs this host's kernel or Docker daemon, so it is only looked for on the
   * checking host, and only with {@link CheckOptions#dataplane()}.
   */
  public boolean dataplane() {
    return dataplane;
  }

  /**
   * The kind with this {@link #id()}.
   *
   * @throws IllegalArgumentException naming the unknown id
   */
  public static FindingKind fromId(String id) {
    requireNonNull(id, "id");
    for (FindingKind k : values()) {
      if (k.id.equals(id)) {
        return k;
      }
    }
    throw new IllegalArgumentException("Unknown finding kind: " + id);
  }
}
