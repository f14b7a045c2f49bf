package io.github.calicoj.node.internal.model;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import java.util.Map;

/**
 * The Felix parameters the agent uses, resolved from overrides, per-host and global configuration
 * keys and defaults, in Felix's order of precedence. Immutable.
 *
 * @param interfacePrefixes {@code InterfacePrefix}: the workload interface name prefixes
 * @param endpointToHostAction {@code DefaultEndpointToHostAction}
 * @param ipInIpEnabled {@code IpInIpEnabled}
 * @param markMask {@code IptablesMarkMask}: the packet mark bits the agent may use
 * @param reportingIntervalSecs {@code ReportingIntervalSecs}; 0 disables status reports
 * @param reportingTtlSecs {@code ReportingTTLSecs}
 * @param endpointReportingEnabled {@code EndpointReportingEnabled}
 * @param endpointReportingDelaySecs {@code EndpointReportingDelaySecs}
 * @param raw every parameter as read, after precedence
 */
public record FelixConfig(
    List<String> interfacePrefixes,
    EndpointToHostAction endpointToHostAction,
    boolean ipInIpEnabled,
    int markMask,
    int reportingIntervalSecs,
    int reportingTtlSecs,
    boolean endpointReportingEnabled,
    int endpointReportingDelaySecs,
    Map<String, String> raw) {

  /** Felix's defaults, with {@code InterfacePrefix} {@code cali} as calicoctl writes it. */
  public static final FelixConfig DEFAULTS =
      new FelixConfig(
          List.of("cali"),
          EndpointToHostAction.DROP,
          false,
          0xff000000,
          30,
          90,
          false,
          1,
          Map.of());

  /** Checks the prefixes and the mark mask. */
  public FelixConfig {
    interfacePrefixes = List.copyOf(interfacePrefixes);
    checkArgument(!interfacePrefixes.isEmpty(), "No interface prefix");
    checkArgument(markMask != 0, "IptablesMarkMask must have a bit set");
    raw = Map.copyOf(raw);
  }

  /** The mark bit that says "accepted by a profile": the lowest bit of the mask (Felix 1.4). */
  public int acceptMark() {
    return Integer.lowestOneBit(markMask);
  }
}
