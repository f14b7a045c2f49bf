package io.github.calicoj.core.client;

/**
 * The steps of {@link CalicoClient#addContainer}, in order. A step listener (a package-private seam
 * of {@link CalicoClient.Builder}) is called before each; one that throws makes the add fail at
 * that point, which is how the rollback is tested.
 */
public enum AddStep {
  /** The workload is resolved and its namespace opened; the add starts. */
  RESERVE,
  /** Read this host's next hop for the requested IP version (before any block is claimed). */
  NEXT_HOP,
  /**
   * Choose the IP from IPAM, on the cached block. It is written with the endpoint; only a block
   * that must be claimed first is written now.
   */
  ASSIGN_IP,
  /** Create the veth, its peer born in the container's namespace. */
  CREATE_VETH,
  /** Read the container interface's MAC. */
  READ_MAC,
  /**
   * Host side: the /32 (/128) route to the workload via its cali interface, added only if no route
   * to the IP exists (one that does means the IP is in use on this host: another is chosen). It
   * comes before the write, so an endpoint never exists without its route.
   */
  HOST_ROUTE,
  /**
   * Write, in one transaction, the IP's block, the workload's marker and the endpoint, guarded on
   * the block's revision and on the workload having no marker; the same transaction reads the
   * workload's endpoints, so one stored by another tool is found too. The next three steps run
   * meanwhile on another thread (their listener calls come from it); the add waits for them, and a
   * failure of either side undoes the write if it happened.
   */
  WRITE_ENDPOINT,
  /** Bring the container interface up and add its address. */
  CONTAINER_ADDRESS,
  /** Add the on-link route to the next hop, then the default route. */
  CONTAINER_ROUTES,
  /** Host side: proxy ARP, proxy delay, forwarding, proxy NDP. */
  HOST_SYSCTLS
}
