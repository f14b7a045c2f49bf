package io.github.calicoj.core.client;

/**
 * The steps of {@link CalicoClient#addContainer}, in order. A {@link
 * CalicoClient.Builder#stepListener step listener} is called before each; one that throws makes the
 * add fail at that point, which is how the rollback is tested.
 */
public enum AddStep {
  /**
   * Refuse a second add of the workload while one runs in this client. Whether the workload already
   * has an endpoint is checked atomically by the transaction ({@link #WRITE_ENDPOINT}).
   */
  RESERVE,
  /**
   * Choose the IP from IPAM, on the cached block. It is written with the endpoint; only a block
   * that must be claimed first is written now.
   */
  ASSIGN_IP,
  /** Read this host's next hop for the IP's version. */
  NEXT_HOP,
  /** Create the veth, its peer born in the container's namespace. */
  CREATE_VETH,
  /** Read the container interface's MAC. */
  READ_MAC,
  /**
   * Write, in one transaction, the IP's block, the workload's marker and the endpoint, guarded on
   * the block's revision and on the workload having no marker; the same transaction reads the
   * workload's endpoints, so one stored by another tool is found too. The next three steps run
   * meanwhile on another thread (their listener calls come from it); the add waits for them before
   * {@link #HOST_ROUTE}, and a failure of either side undoes the write if it happened.
   */
  WRITE_ENDPOINT,
  /** Bring the container interface up and add its address. */
  CONTAINER_ADDRESS,
  /** Add the on-link route to the next hop, then the default route. */
  CONTAINER_ROUTES,
  /** Host side: proxy ARP, proxy delay, forwarding, proxy NDP. */
  HOST_SYSCTLS,
  /**
   * Host side: the /32 (/128) route to the workload via its cali interface. It comes after the
   * write has succeeded because only then is the IP this workload's: a route replaced earlier could
   * be one that another workload, which took the IP first, still needs.
   */
  HOST_ROUTE
}
