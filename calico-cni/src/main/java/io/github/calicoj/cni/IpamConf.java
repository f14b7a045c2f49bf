package io.github.calicoj.cni;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.calicoj.core.model.Cidr;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@code ipam} section: its {@code type} must be {@code calico-ipam}, which this plugin handles
 * itself (no IPAM plugin is run), with Calico's options {@code assign_ipv4} (default true), {@code
 * assign_ipv6} (default false), {@code ipv4_pools} and {@code ipv6_pools} (pool CIDRs to take
 * addresses from, in order; empty means any pool of the family). Immutable.
 *
 * @param assignIpv4 whether the container gets an IPv4 address
 * @param assignIpv6 whether the container gets an IPv6 address
 * @param ipv4Pools the IPv4 pools to use, in order, or empty for any
 * @param ipv6Pools the IPv6 pools to use, in order, or empty for any
 */
record IpamConf(
    boolean assignIpv4, boolean assignIpv6, List<Cidr> ipv4Pools, List<Cidr> ipv6Pools) {

  /** The IPAM type this plugin implements. */
  static final String TYPE = "calico-ipam";

  /** Copies the lists. */
  IpamConf {
    ipv4Pools = List.copyOf(ipv4Pools);
    ipv6Pools = List.copyOf(ipv6Pools);
  }

  /**
   * Reads the {@code ipam} object; without one, the defaults (IPv4 from any pool).
   *
   * @throws CniException ({@link CniCode#UNSUPPORTED_FIELD}) for another IPAM type; ({@link
   *     CniCode#INVALID_CONFIG}) for a bad option, or a pool of the wrong family
   */
  static IpamConf parse(@Nullable JsonNode ipam) {
    if (ipam == null) {
      return new IpamConf(true, false, List.of(), List.of());
    }
    String type = Json.text(ipam, "type", "ipam.", TYPE);
    if (!type.equals(TYPE)) {
      throw new CniException(
          CniCode.UNSUPPORTED_FIELD,
          "ipam.type \""
              + type
              + "\" is not supported: this plugin does its own IPAM, type \""
              + TYPE
              + "\"");
    }
    return new IpamConf(
        Json.flag(ipam, "assign_ipv4", "ipam.", true),
        Json.flag(ipam, "assign_ipv6", "ipam.", false),
        pools(ipam, "ipv4_pools", 4),
        pools(ipam, "ipv6_pools", 6));
  }

  private static List<Cidr> pools(JsonNode ipam, String field, int version) {
    List<Cidr> out = new ArrayList<>();
    for (String text : Json.texts(ipam, field, "ipam.")) {
      Cidr c;
      try {
        c = Cidr.parseNormalized(text);
      } catch (IllegalArgumentException e) {
        throw new CniException(
            CniCode.INVALID_CONFIG, "ipam." + field + ": \"" + text + "\" is not a CIDR");
      }
      if (c.version() != version) {
        throw new CniException(
            CniCode.INVALID_CONFIG,
            "ipam." + field + ": " + text + " is not an IPv" + version + " network");
      }
      out.add(c);
    }
    return out;
  }

  /** The pools of one family. */
  List<Cidr> pools(int version) {
    return version == 4 ? ipv4Pools : ipv6Pools;
  }
}
