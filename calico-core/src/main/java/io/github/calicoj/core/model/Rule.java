package io.github.calicoj.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One profile rule. Null fields are absent on the wire. {@code ipVersion} and the negated ({@code
 * !}) matches are understood only by newer Felix and crash old pycalico readers, so the codec
 * writes them only when its {@code extendedRules} option is on. Immutable; build one with {@link
 * #builder(String)}.
 *
 * @param action {@code allow} or {@code deny} ({@code next-tier} and {@code log} need newer Felix)
 * @param protocol {@code tcp}, {@code udp}, {@code icmp}, {@code icmpv6}, or null for any
 * @param srcNet source network, or null
 * @param srcTag source tag, or null
 * @param srcPorts source ports (needs tcp or udp), empty for none
 * @param dstNet destination network, or null
 * @param dstTag destination tag, or null
 * @param dstPorts destination ports (needs tcp or udp), empty for none
 * @param icmpType ICMP type 0..255, or null
 * @param icmpCode ICMP code 0..255 (needs a type), or null
 * @param ipVersion 4 or 6, or null (extended)
 * @param notProtocol negated protocol (extended)
 * @param notSrcNet negated source network (extended)
 * @param notSrcTag negated source tag (extended)
 * @param notSrcPorts negated source ports (extended)
 * @param notDstNet negated destination network (extended)
 * @param notDstTag negated destination tag (extended)
 * @param notDstPorts negated destination ports (extended)
 * @param notIcmpType negated ICMP type (extended)
 * @param notIcmpCode negated ICMP code (extended)
 */
public record Rule(
    String action,
    @Nullable String protocol,
    @Nullable Cidr srcNet,
    @Nullable String srcTag,
    List<PortRange> srcPorts,
    @Nullable Cidr dstNet,
    @Nullable String dstTag,
    List<PortRange> dstPorts,
    @Nullable Integer icmpType,
    @Nullable Integer icmpCode,
    @Nullable Integer ipVersion,
    @Nullable String notProtocol,
    @Nullable Cidr notSrcNet,
    @Nullable String notSrcTag,
    List<PortRange> notSrcPorts,
    @Nullable Cidr notDstNet,
    @Nullable String notDstTag,
    List<PortRange> notDstPorts,
    @Nullable Integer notIcmpType,
    @Nullable Integer notIcmpCode) {

  private static final Set<String> ACTIONS = Set.of("allow", "deny", "next-tier", "log");
  private static final Set<String> PROTOCOLS =
      Set.of("tcp", "udp", "icmp", "icmpv6", "sctp", "udplite");
  private static final Set<String> PORT_PROTOCOLS = Set.of("tcp", "udp", "sctp", "udplite");

  /** Validates as Felix does. */
  public Rule {
    requireNonNull(action, "action");
    checkArgument(ACTIONS.contains(action), "'%s' is not allowed for key 'action'", action);
    checkProtocol(protocol);
    checkProtocol(notProtocol);
    checkTag(srcTag);
    checkTag(dstTag);
    checkTag(notSrcTag);
    checkTag(notDstTag);
    srcPorts = List.copyOf(srcPorts);
    dstPorts = List.copyOf(dstPorts);
    notSrcPorts = List.copyOf(notSrcPorts);
    notDstPorts = List.copyOf(notDstPorts);
    boolean anyPorts =
        !srcPorts.isEmpty()
            || !dstPorts.isEmpty()
            || !notSrcPorts.isEmpty()
            || !notDstPorts.isEmpty();
    checkArgument(
        !anyPorts || (protocol != null && PORT_PROTOCOLS.contains(protocol)),
        "Ports are not valid with protocol %s",
        protocol);
    checkIcmp(icmpType, "type");
    checkIcmp(icmpCode, "code");
    checkIcmp(notIcmpType, "type");
    checkIcmp(notIcmpCode, "code");
    checkArgument(icmpCode == null || icmpType != null, "An ICMP code needs an ICMP type");
    checkArgument(
        ipVersion == null || ipVersion == 4 || ipVersion == 6,
        "ip_version must be 4 or 6: %s",
        ipVersion);
    // Nets of one family; icmp means IPv4 and icmpv6 IPv6 (validate_cidr_versions).
    List<Cidr> nets = new ArrayList<>();
    for (Cidr c : new Cidr[] {srcNet, dstNet, notSrcNet, notDstNet}) {
      if (c != null) {
        nets.add(c);
      }
    }
    Integer family =
        "icmp".equals(protocol)
            ? Integer.valueOf(4)
            : "icmpv6".equals(protocol) ? Integer.valueOf(6) : ipVersion;
    for (Cidr c : nets) {
      if (family == null) {
        family = c.version();
      }
      checkArgument(
          c.version() == family, "Invalid or unmatching IP versions for SRCCIDR/DSTCIDR.");
    }
    checkArgument(
        ipVersion == null || family == null || family.equals(ipVersion),
        "ip_version %s does not match protocol %s",
        ipVersion,
        protocol);
  }

  /** True if the rule uses a field that only newer Felix understands. */
  public boolean isExtended() {
    return ipVersion != null
        || notProtocol != null
        || notSrcNet != null
        || notSrcTag != null
        || !notSrcPorts.isEmpty()
        || notDstNet != null
        || notDstTag != null
        || !notDstPorts.isEmpty()
        || notIcmpType != null
        || notIcmpCode != null
        || !(action.equals("allow") || action.equals("deny"))
        || (protocol != null && !Set.of("tcp", "udp", "icmp", "icmpv6").contains(protocol));
  }

  /** A builder for a rule with this action. */
  public static Builder builder(String action) {
    return new Builder(action);
  }

  /** {@code allow}. */
  public static Rule allow() {
    return builder("allow").build();
  }

  /** {@code allow from tag T}. */
  public static Rule allowFromTag(String tag) {
    return builder("allow").srcTag(tag).build();
  }

  /** The reference's human-readable form ({@code Rule.pprint}). */
  public String pprint() {
    StringBuilder out = new StringBuilder(action);
    if (protocol != null) {
      out.append(' ').append(protocol);
    }
    if (icmpType != null) {
      out.append(" type ").append(icmpType);
      if (icmpCode != null) {
        out.append(" code ").append(icmpCode);
      }
    }
    appendSide(out, "from", srcPorts, srcTag, srcNet);
    appendSide(out, "to", dstPorts, dstTag, dstNet);
    return out.toString();
  }

  private static void appendSide(
      StringBuilder out,
      String word,
      List<PortRange> ports,
      @Nullable String tag,
      @Nullable Cidr net) {
    if (ports.isEmpty() && tag == null && net == null) {
      return;
    }
    out.append(' ').append(word);
    if (!ports.isEmpty()) {
      out.append(" ports ");
      for (int i = 0; i < ports.size(); i++) {
        out.append(i == 0 ? "" : ",").append(ports.get(i));
      }
    }
    if (tag != null) {
      out.append(" tag ").append(tag);
    }
    if (net != null) {
      out.append(" cidr ").append(net);
    }
  }

  private static void checkProtocol(@Nullable String p) {
    if (p == null) {
      return;
    }
    boolean number =
        p.matches("\\d{1,3}") && Integer.parseInt(p) >= 1 && Integer.parseInt(p) <= 255;
    checkArgument(PROTOCOLS.contains(p) || number, "'%s' is not allowed for key 'protocol'", p);
  }

  private static void checkTag(@Nullable String t) {
    if (t != null) {
      Names.checkTag(t);
    }
  }

  private static void checkIcmp(@Nullable Integer v, String what) {
    checkArgument(
        v == null || (v >= 0 && v <= 255),
        "Invalid ICMP type or ICMP code specified. ICMP %s: %s",
        what,
        v);
  }

  /** Builds a {@link Rule}. Not thread-safe. */
  public static final class Builder {
    private final String action;
    private @Nullable String protocol;
    private @Nullable Cidr srcNet;
    private @Nullable String srcTag;
    private List<PortRange> srcPorts = List.of();
    private @Nullable Cidr dstNet;
    private @Nullable String dstTag;
    private List<PortRange> dstPorts = List.of();
    private @Nullable Integer icmpType;
    private @Nullable Integer icmpCode;
    private @Nullable Integer ipVersion;
    private @Nullable String notProtocol;
    private @Nullable Cidr notSrcNet;
    private @Nullable String notSrcTag;
    private List<PortRange> notSrcPorts = List.of();
    private @Nullable Cidr notDstNet;
    private @Nullable String notDstTag;
    private List<PortRange> notDstPorts = List.of();
    private @Nullable Integer notIcmpType;
    private @Nullable Integer notIcmpCode;

    private Builder(String action) {
      this.action = action;
    }

    /** Sets the protocol. */
    public Builder protocol(@Nullable String v) {
      protocol = v;
      return this;
    }

    /** Sets the source network. */
    public Builder srcNet(@Nullable Cidr v) {
      srcNet = v;
      return this;
    }

    /** Sets the source tag. */
    public Builder srcTag(@Nullable String v) {
      srcTag = v;
      return this;
    }

    /** Sets the source ports. */
    public Builder srcPorts(List<PortRange> v) {
      srcPorts = v;
      return this;
    }

    /** Sets the destination network. */
    public Builder dstNet(@Nullable Cidr v) {
      dstNet = v;
      return this;
    }

    /** Sets the destination tag. */
    public Builder dstTag(@Nullable String v) {
      dstTag = v;
      return this;
    }

    /** Sets the destination ports. */
    public Builder dstPorts(List<PortRange> v) {
      dstPorts = v;
      return this;
    }

    /** Sets the ICMP type. */
    public Builder icmpType(@Nullable Integer v) {
      icmpType = v;
      return this;
    }

    /** Sets the ICMP code. */
    public Builder icmpCode(@Nullable Integer v) {
      icmpCode = v;
      return this;
    }

    /** Sets ip_version (extended). */
    public Builder ipVersion(@Nullable Integer v) {
      ipVersion = v;
      return this;
    }

    /** Sets !protocol (extended). */
    public Builder notProtocol(@Nullable String v) {
      notProtocol = v;
      return this;
    }

    /** Sets !src_net (extended). */
    public Builder notSrcNet(@Nullable Cidr v) {
      notSrcNet = v;
      return this;
    }

    /** Sets !src_tag (extended). */
    public Builder notSrcTag(@Nullable String v) {
      notSrcTag = v;
      return this;
    }

    /** Sets !src_ports (extended). */
    public Builder notSrcPorts(List<PortRange> v) {
      notSrcPorts = v;
      return this;
    }

    /** Sets !dst_net (extended). */
    public Builder notDstNet(@Nullable Cidr v) {
      notDstNet = v;
      return this;
    }

    /** Sets !dst_tag (extended). */
    public Builder notDstTag(@Nullable String v) {
      notDstTag = v;
      return this;
    }

    /** Sets !dst_ports (extended). */
    public Builder notDstPorts(List<PortRange> v) {
      notDstPorts = v;
      return this;
    }

    /** Sets !icmp_type (extended). */
    public Builder notIcmpType(@Nullable Integer v) {
      notIcmpType = v;
      return this;
    }

    /** Sets !icmp_code (extended). */
    public Builder notIcmpCode(@Nullable Integer v) {
      notIcmpCode = v;
      return this;
    }

    /** Validates and builds. */
    public Rule build() {
      return new Rule(
          action,
          protocol,
          srcNet,
          srcTag,
          srcPorts,
          dstNet,
          dstTag,
          dstPorts,
          icmpType,
          icmpCode,
          ipVersion,
          notProtocol,
          notSrcNet,
          notSrcTag,
          notSrcPorts,
          notDstNet,
          notDstTag,
          notDstPorts,
          notIcmpType,
          notIcmpCode);
    }
  }
}
