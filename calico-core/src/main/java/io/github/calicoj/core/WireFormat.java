package io.github.calicoj.core;

/**
 * Which Calico v1 data-model era to write, and the opt-in extensions. Reading is always tolerant of
 * both eras. Immutable.
 *
 * @param era {@link Era#GATEWAY} (era A, the default) or {@link Era#LINK_LOCAL} (era B)
 * @param writeLabels write endpoint and profile {@code labels} (libcalico ≥ v0.13)
 * @param writeRuleIds write {@code "id"} in rules, which readers up to libcalico v0.15 require
 * @param extendedRules allow {@code ip_version}, {@code !}-negations and the newer actions and
 *     protocols, which old pycalico readers reject
 */
public record WireFormat(
    Era era, boolean writeLabels, boolean writeRuleIds, boolean extendedRules) {

  /** The data-model era. */
  public enum Era {
    /** Era A: endpoints carry {@code ipv4_gateway}/{@code ipv6_gateway}, the host's BGP IPs. */
    GATEWAY,
    /** Era B: no gateway fields; workloads route via {@code 169.254.1.1}. */
    LINK_LOCAL
  }

  /** Era A as calicoctl 0.16 wrote it: gateways, rule ids, no labels, no extensions. */
  public static final WireFormat ERA_A = new WireFormat(Era.GATEWAY, false, true, false);

  /** Era B (libcalico v0.14–v0.15): no gateways, labels, rule ids kept for old readers. */
  public static final WireFormat ERA_B = new WireFormat(Era.LINK_LOCAL, true, true, false);

  /** With extended rules allowed (or not). */
  public WireFormat withExtendedRules(boolean allowed) {
    return new WireFormat(era, writeLabels, writeRuleIds, allowed);
  }
}
