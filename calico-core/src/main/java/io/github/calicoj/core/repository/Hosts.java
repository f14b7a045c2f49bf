package io.github.calicoj.core.repository;

import static java.util.Objects.requireNonNull;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.CalicoException.Reason;
import io.github.calicoj.core.NotFoundException;
import io.github.calicoj.core.WireFormat;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.model.HostConfig;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.ResourceAlreadyExistsException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Host (node) configuration: a host's BGP addresses, which are its workloads' era-A next hops, and
 * the global keys Felix needs before it does anything. Thread-safe; borrows the datastore.
 */
public final class Hosts {
  private final Datastore datastore;
  private final WireFormat format;

  /** Hosts in {@code datastore}. */
  public Hosts(Datastore datastore, WireFormat format) {
    this.datastore = requireNonNull(datastore, "datastore");
    this.format = requireNonNull(format, "format");
  }

  /**
   * Creates or updates a host ({@code create_host}): {@code bird_ip}, the host config keys and the
   * BGP keys. A missing IPv6 address is written as an empty string, as python-etcd wrote None; a
   * missing AS number deletes {@code as_num}.
   */
  public void configure(HostConfig host) {
    requireNonNull(host, "host");
    String h = host.hostname();
    Key hostKey = CalicoKeys.host(h);
    if (host.ipv4() != null) {
      datastore.put(Key.of(hostKey.path() + "bird_ip"), InetAddresses.toAddrString(host.ipv4()));
    }
    datastore.put(Key.of(hostKey.path() + "config/DefaultEndpointToHostAction"), "RETURN");
    datastore.put(Key.of(hostKey.path() + "config/marker"), "created");
    datastore.put(
        CalicoKeys.bgpIp(h, 4), host.ipv4() == null ? "" : InetAddresses.toAddrString(host.ipv4()));
    datastore.put(
        CalicoKeys.bgpIp(h, 6), host.ipv6() == null ? "" : InetAddresses.toAddrString(host.ipv6()));
    if (host.asNumber() != null) {
      datastore.put(CalicoKeys.bgpAs(h), host.asNumber());
    } else {
      datastore.delete(CalicoKeys.bgpAs(h));
    }
  }

  /** The host's BGP configuration, if its BGP keys exist. */
  public Optional<HostConfig> get(String hostname) {
    Optional<KeyValue> v4 = datastore.get(CalicoKeys.bgpIp(hostname, 4));
    Optional<KeyValue> v6 = datastore.get(CalicoKeys.bgpIp(hostname, 6));
    if (v4.isEmpty() && v6.isEmpty()) {
      return Optional.empty();
    }
    Optional<KeyValue> as = datastore.get(CalicoKeys.bgpAs(hostname));
    return Optional.of(
        new HostConfig(
            hostname,
            parse(v4, Inet4Address.class),
            parse(v6, Inet6Address.class),
            as.map(KeyValue::value).filter(s -> !s.isEmpty()).orElse(null)));
  }

  /**
   * The era-A next hops ({@code get_default_next_hops}): version to address, with blank or
   * unparsable values left out.
   *
   * @throws NotFoundException "BGP configuration for host H not found." if either key is missing
   */
  public Map<Integer, InetAddress> nextHops(String hostname) {
    Optional<KeyValue> v4 = datastore.get(CalicoKeys.bgpIp(hostname, 4));
    Optional<KeyValue> v6 = datastore.get(CalicoKeys.bgpIp(hostname, 6));
    if (v4.isEmpty() || v6.isEmpty()) {
      throw new NotFoundException(
          Reason.HOST_NOT_FOUND, "BGP configuration for host " + hostname + " not found.");
    }
    Map<Integer, InetAddress> hops = new LinkedHashMap<>();
    Inet4Address a4 = parse(v4, Inet4Address.class);
    Inet6Address a6 = parse(v6, Inet6Address.class);
    if (a4 != null) {
      hops.put(4, a4);
    }
    if (a6 != null) {
      hops.put(6, a6);
    }
    return hops;
  }

  /**
   * {@code ensure_global_config}: {@code /calico/v1/Ready = true} (always), and the Felix and BGP
   * defaults where missing; {@code cali} is added to {@code InterfacePrefix} if absent.
   */
  public void ensureGlobalConfig() {
    String config = CalicoKeys.CONFIG.path();
    Key prefixKey = Key.of(config + "InterfacePrefix");
    Optional<KeyValue> prefix = datastore.get(prefixKey);
    if (prefix.isEmpty()) {
      createIfMissing(prefixKey, "cali");
    } else if (!Arrays.asList(prefix.get().value().split(",", -1)).contains("cali")) {
      datastore.update(prefixKey, prefix.get().value() + ",cali", prefix.get().revision());
    }
    createIfMissing(Key.of(config + "LogSeverityFile"), "none");
    createIfMissing(Key.of(config + "LogSeverityScreen"), "info");
    createIfMissing(Key.of(config + "LogFilePath"), "none");
    createIfMissing(Key.of(config + "IpInIpEnabled"), "false");
    if (format.era() == WireFormat.Era.LINK_LOCAL) {
      createIfMissing(Key.of(config + "ReportingIntervalSecs"), "0");
    }
    createIfMissing(CalicoKeys.BGP_GLOBAL_AS, "64511");
    createIfMissing(CalicoKeys.BGP_GLOBAL_MESH, "{\"enabled\": true}");
    datastore.put(CalicoKeys.READY, "true");
  }

  /** Deletes the host's Calico and BGP keys ({@code node remove}, data part). */
  public void remove(String hostname) {
    datastore.deletePrefix(CalicoKeys.host(hostname));
    datastore.deletePrefix(CalicoKeys.bgpHost(hostname));
  }

  private void createIfMissing(Key key, String value) {
    try {
      datastore.create(key, value);
    } catch (ResourceAlreadyExistsException e) {
      // keep what is there
    }
  }

  private static <T extends InetAddress> @Nullable T parse(Optional<KeyValue> kv, Class<T> type) {
    if (kv.isEmpty() || !InetAddresses.isInetAddress(kv.get().value().trim())) {
      return null;
    }
    InetAddress a = InetAddresses.forString(kv.get().value().trim());
    return type.isInstance(a) ? type.cast(a) : null;
  }
}
