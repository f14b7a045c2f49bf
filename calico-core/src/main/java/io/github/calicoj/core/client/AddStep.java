package io.github.calicoj.core.client;

/**
 * The steps of {@link CalicoClient#addContainer}, in order. A {@link
 * CalicoClient.Builder#stepListener step listener} is called before each; one that throws makes
 * the add fail at that point, which is how the rollback is tested.
 */
public enum AddStep {
  /** Reserve the workload, so that concurrent adds of it cannot both proceed. */
  RESERVE,
  /** Assign the IP from IPAM. */
  ASSIGN_IP,
  /** Read this host's next hop for the IP's version. */
  NEXT_HOP,
  /** Create the veth, its peer born in the container's namespace. */
  CREATE_VETH,
  /** Bring the container interface up and add its address. */
  CONTAINER_ADDRESS,
  /** Add the on-link route to the next hop, then the default route. */
  CONTAINER_ROUTES,
  /** Read the container interface's MAC. */
  READ_MAC,
  /** Host side: the /32 (/128) route to the workload via its cali interface. */
  HOST_ROUTE,
  /** Host side: proxy ARP, proxy delay, forwarding, proxy NDP. */
  HOST_SYSCTLS,
  /** Write the endpoint. */
  WRITE_ENDPOINT
}
