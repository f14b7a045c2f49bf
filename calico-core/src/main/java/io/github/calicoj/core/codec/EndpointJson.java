package io.github.calicoj.core.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.net.InetAddresses;
import io.github.calicoj.core.WireFormat;
import io.github.calicoj.core.internal.PyJson;
import io.github.calicoj.core.model.IpAddresses;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.datastore.Revision;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A workload endpoint's value at {@code /calico/v1/host/<h>/workload/<o>/<w>/endpoint/<id>}: {@code
 * state}, {@code name}, {@code mac}, {@code profile_ids}, {@code ipv4_nets}, {@code ipv6_nets}, the
 * era-A gateways and (where the format has them) {@code labels}, written as pycalico's {@code
 * json.dumps} wrote them and read tolerantly (legacy {@code profile_id}, unknown fields ignored).
 * Stateless and thread-safe.
 */
public final class EndpointJson {
  private EndpointJson() {}

  /** The endpoint's value in {@code format}. */
  public static String write(WorkloadEndpoint ep, WireFormat format) {
    ObjectNode o = PyJson.NODES.objectNode();
    o.put("state", ep.state());
    o.put("name", ep.name());
    o.put("mac", ep.mac());
    ArrayNode profiles = o.putArray("profile_ids");
    ep.profileIds().forEach(profiles::add);
    ArrayNode v4 = o.putArray("ipv4_nets");
    ep.ipv4Nets().forEach(c -> v4.add(c.toString()));
    ArrayNode v6 = o.putArray("ipv6_nets");
    ep.ipv6Nets().forEach(c -> v6.add(c.toString()));
    if (format.era() == WireFormat.Era.GATEWAY) {
      o.put("ipv4_gateway", address(ep.ipv4Gateway()));
      o.put("ipv6_gateway", address(ep.ipv6Gateway()));
    }
    if (format.writeLabels()) {
      ObjectNode labels = o.putObject("labels");
      ep.labels().forEach(labels::put);
    }
    return PyJson.write(o);
  }

  /**
   * Reads the value stored at {@code key}.
   *
   * @throws IllegalArgumentException if the JSON or a field is invalid
   */
  public static WorkloadEndpoint read(CalicoKeys.EndpointKey key, String json, Revision revision) {
    JsonNode o = PyJson.parse(json, "endpoint " + key.id());
    WorkloadEndpoint.Builder b =
        WorkloadEndpoint.builder()
            .hostname(key.hostname())
            .orchestratorId(key.orchestrator())
            .workloadId(key.workload())
            .endpointId(key.id())
            .state(PyJson.text(o, "state", "active"))
            .mac(PyJson.nullableText(o, "mac"))
            .revision(revision);
    String name = PyJson.nullableText(o, "name");
    if (name != null) {
      b.name(name);
    }
    List<String> profiles = new ArrayList<>();
    if (o.hasNonNull("profile_ids")) {
      o.get("profile_ids").forEach(p -> profiles.add(p.asText()));
    } else if (o.hasNonNull("profile_id")) {
      profiles.add(o.get("profile_id").asText()); // legacy single profile
    }
    b.profileIds(profiles);
    b.ipv4Nets(PyJson.cidrs(o.get("ipv4_nets")));
    b.ipv6Nets(PyJson.cidrs(o.get("ipv6_nets")));
    String gw4 = PyJson.nullableText(o, "ipv4_gateway");
    String gw6 = PyJson.nullableText(o, "ipv6_gateway");
    b.ipv4Gateway(gw4 == null || gw4.isEmpty() ? null : IpAddresses.parse(gw4));
    b.ipv6Gateway(gw6 == null || gw6.isEmpty() ? null : IpAddresses.parse(gw6));
    b.labels(PyJson.stringMap(o.get("labels")));
    return b.build();
  }

  private static @Nullable String address(@Nullable InetAddress a) {
    return a == null ? null : InetAddresses.toAddrString(a);
  }
}
