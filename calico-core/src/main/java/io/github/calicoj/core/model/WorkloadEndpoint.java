package io.github.calicoj.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableSortedSet;
import io.github.calicoj.datastore.Revision;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A workload endpoint: one container interface on the Calico network, stored at {@code
 * /calico/v1/host/<hostname>/workload/<orchestrator>/<workload>/endpoint/<endpointId>}. Immutable;
 * change it with the {@code with…} methods or {@link #toBuilder()}.
 *
 * @param hostname the host the workload runs on
 * @param orchestratorId {@code docker}, or {@code namespace} for a netns path
 * @param workloadId the full container id, or the escaped namespace path
 * @param endpointId 32 lowercase hex characters
 * @param state {@code active} or {@code inactive}
 * @param name the host-side interface, {@code cali} + the first 11 characters of the id
 * @param mac the container-side MAC (lowercase, colon separated), or null before it is known
 * @param profileIds the profiles in evaluation order, each at most once
 * @param ipv4Nets /32 networks, kept sorted as the wire form needs
 * @param ipv6Nets /128 networks, kept sorted
 * @param ipv4Gateway the IPv4 next hop (era A), or null
 * @param ipv6Gateway the IPv6 next hop (era A), or null
 * @param labels labels (written only where the wire format has them)
 * @param revision the datastore revision it was read at, or null if not read from a store
 */
public record WorkloadEndpoint(
    String hostname,
    String orchestratorId,
    String workloadId,
    String endpointId,
    String state,
    String name,
    @Nullable String mac,
    List<String> profileIds,
    List<Cidr> ipv4Nets,
    List<Cidr> ipv6Nets,
    @Nullable InetAddress ipv4Gateway,
    @Nullable InetAddress ipv6Gateway,
    Map<String, String> labels,
    @Nullable Revision revision) {

  private static final Pattern ENDPOINT_ID = Pattern.compile("[0-9a-f]{32}");
  private static final Pattern MAC = Pattern.compile("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}");
  private static final Comparator<Cidr> WIRE_ORDER = Comparator.comparing(Cidr::toString);

  /** Validates every field; messages name the bad value. */
  public WorkloadEndpoint {
    checkSegment(hostname, "hostname");
    checkSegment(orchestratorId, "orchestratorId");
    checkSegment(workloadId, "workloadId");
    checkSegment(endpointId, "endpointId"); // any writer's id; calicoj's own are isGeneratedId
    requireNonNull(state, "state");
    checkArgument(
        state.equals("active") || state.equals("inactive"),
        "Endpoint state must be active or inactive: %s",
        state);
    requireNonNull(name, "name");
    checkArgument(name.matches("[a-zA-Z0-9_\\-]{1,15}"), "Bad host interface name: %s", name);
    checkArgument(mac == null || MAC.matcher(mac).matches(), "Bad MAC address: %s", mac);
    profileIds = List.copyOf(profileIds);
    for (String p : profileIds) {
      Names.checkProfileName(p);
    }
    checkArgument(
        profileIds.stream().distinct().count() == profileIds.size(),
        "Duplicate profile in %s",
        profileIds);
    ipv4Nets = sortedNets(ipv4Nets, true);
    ipv6Nets = sortedNets(ipv6Nets, false);
    checkArgument(
        ipv4Gateway == null || ipv4Gateway instanceof Inet4Address,
        "ipv4Gateway is not IPv4: %s",
        ipv4Gateway);
    checkArgument(
        ipv6Gateway == null || !(ipv6Gateway instanceof Inet4Address),
        "ipv6Gateway is not IPv6: %s",
        ipv6Gateway);
    labels = Map.copyOf(labels);
  }

  /** {@code "cali" + endpointId[:11]}: the host-side interface name (15 characters). */
  public static String interfaceName(String endpointId) {
    return "cali" + endpointId.substring(0, Math.min(11, endpointId.length()));
  }

  /**
   * True if {@code endpointId} has the form this library (and pycalico's {@code uuid1().hex})
   * writes: 32 lowercase hex characters. Endpoints read from the datastore may have any id that is
   * one key segment.
   */
  public static boolean isGeneratedId(String endpointId) {
    return ENDPOINT_ID.matcher(endpointId).matches();
  }

  /** A new builder with defaults: state active, no MAC, no profiles, no nets, no labels. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this endpoint's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.hostname = hostname;
    b.orchestratorId = orchestratorId;
    b.workloadId = workloadId;
    b.endpointId = endpointId;
    b.state = state;
    b.name = name;
    b.mac = mac;
    b.profileIds = new ArrayList<>(profileIds);
    b.ipv4Nets = new ArrayList<>(ipv4Nets);
    b.ipv6Nets = new ArrayList<>(ipv6Nets);
    b.ipv4Gateway = ipv4Gateway;
    b.ipv6Gateway = ipv6Gateway;
    b.labels = labels;
    b.revision = revision;
    return b;
  }

  /** With these profiles. */
  public WorkloadEndpoint withProfileIds(List<String> ids) {
    return toBuilder().profileIds(ids).build();
  }

  /** With the revision it was read or written at. */
  public WorkloadEndpoint withRevision(@Nullable Revision r) {
    return toBuilder().revision(r).build();
  }

  /** The revision, if it was read from a store. */
  public Optional<Revision> storedRevision() {
    return Optional.ofNullable(revision);
  }

  /** All addresses, IPv4 first. */
  public List<Cidr> nets() {
    List<Cidr> all = new ArrayList<>(ipv4Nets);
    all.addAll(ipv6Nets);
    return List.copyOf(all);
  }

  /** The MAC, if known. */
  public Optional<String> macAddress() {
    return Optional.ofNullable(mac);
  }

  /** Equal ignoring the revision. */
  public boolean sameContent(WorkloadEndpoint o) {
    return withRevision(null).equals(o.withRevision(null));
  }

  private static void checkSegment(String value, String what) {
    requireNonNull(value, what);
    checkArgument(
        !value.isEmpty() && value.indexOf('/') < 0 && value.chars().noneMatch(c -> c < 0x20),
        "%s must be a non-empty key segment without '/': %s",
        what,
        value);
  }

  private static List<Cidr> sortedNets(List<Cidr> nets, boolean v4) {
    for (Cidr c : nets) {
      requireNonNull(c, "net");
      checkArgument(c.isIpv4() == v4, "%s is not an IPv%s network", c, v4 ? 4 : 6);
      checkArgument(
          c.prefixLength() == (v4 ? 32 : 128),
          "Only /32 and /128 endpoint networks are supported: %s",
          c);
    }
    // pycalico writes sorted(str(net)): lexicographic order of the wire strings.
    return List.copyOf(ImmutableSortedSet.copyOf(WIRE_ORDER, nets));
  }

  /** Builds a {@link WorkloadEndpoint}. Not thread-safe. */
  public static final class Builder {
    private String hostname = "";
    private String orchestratorId = "";
    private String workloadId = "";
    private String endpointId = "";
    private String state = "active";
    private @Nullable String name;
    private @Nullable String mac;
    private List<String> profileIds = new ArrayList<>();
    private List<Cidr> ipv4Nets = new ArrayList<>();
    private List<Cidr> ipv6Nets = new ArrayList<>();
    private @Nullable InetAddress ipv4Gateway;
    private @Nullable InetAddress ipv6Gateway;
    private Map<String, String> labels = Map.of();
    private @Nullable Revision revision;

    private Builder() {}

    /** Sets the hostname. */
    public Builder hostname(String v) {
      hostname = v;
      return this;
    }

    /** Sets the orchestrator id. */
    public Builder orchestratorId(String v) {
      orchestratorId = v;
      return this;
    }

    /** Sets the workload id. */
    public Builder workloadId(String v) {
      workloadId = v;
      return this;
    }

    /** Sets the endpoint id; the interface name follows from it unless set. */
    public Builder endpointId(String v) {
      endpointId = v;
      return this;
    }

    /** Sets the state. */
    public Builder state(String v) {
      state = v;
      return this;
    }

    /** Sets the host interface name (default: from the endpoint id). */
    public Builder name(String v) {
      name = v;
      return this;
    }

    /** Sets the container-side MAC. */
    public Builder mac(@Nullable String v) {
      mac = v;
      return this;
    }

    /** Sets the profiles. */
    public Builder profileIds(List<String> v) {
      profileIds = new ArrayList<>(v);
      return this;
    }

    /** Adds a network to the list of its family. */
    public Builder addNet(Cidr net) {
      (net.isIpv4() ? ipv4Nets : ipv6Nets).add(net);
      return this;
    }

    /** Removes a network. */
    public Builder removeNet(Cidr net) {
      (net.isIpv4() ? ipv4Nets : ipv6Nets).remove(net);
      return this;
    }

    /** Sets the IPv4 networks. */
    public Builder ipv4Nets(List<Cidr> v) {
      ipv4Nets = new ArrayList<>(v);
      return this;
    }

    /** Sets the IPv6 networks. */
    public Builder ipv6Nets(List<Cidr> v) {
      ipv6Nets = new ArrayList<>(v);
      return this;
    }

    /** Sets the IPv4 gateway. */
    public Builder ipv4Gateway(@Nullable InetAddress v) {
      ipv4Gateway = v;
      return this;
    }

    /** Sets the IPv6 gateway. */
    public Builder ipv6Gateway(@Nullable InetAddress v) {
      ipv6Gateway = v;
      return this;
    }

    /** Sets the gateway of {@code gateway}'s family. */
    public Builder gateway(InetAddress gateway) {
      if (gateway instanceof Inet4Address) {
        ipv4Gateway = gateway;
      } else {
        ipv6Gateway = gateway;
      }
      return this;
    }

    /** Sets the labels. */
    public Builder labels(Map<String, String> v) {
      labels = v;
      return this;
    }

    /** Sets the revision. */
    public Builder revision(@Nullable Revision v) {
      revision = v;
      return this;
    }

    /** Validates and builds. */
    public WorkloadEndpoint build() {
      String n = name != null ? name : interfaceName(endpointId);
      return new WorkloadEndpoint(
          hostname,
          orchestratorId,
          workloadId,
          endpointId,
          state,
          n,
          mac,
          profileIds,
          ipv4Nets,
          ipv6Nets,
          ipv4Gateway,
          ipv6Gateway,
          labels,
          revision);
    }
  }
}
