package io.github.calicoj.cni;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.model.Cidr;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class NetConfTest {

  /** A minimal configuration with {@code extra} fields spliced in (JSON members, comma-led). */
  static byte[] conf(String extra) {
    return ("{\"cniVersion\":\"1.0.0\",\"name\":\"calicoj-net\",\"type\":\"calico-cni\""
            + extra
            + "}")
        .getBytes(UTF_8);
  }

  private static void assertRefused(byte[] conf, CniCode code, String message) {
    assertThatThrownBy(() -> NetConf.parse(conf))
        .isInstanceOfSatisfying(CniException.class, e -> assertThat(e.code()).isEqualTo(code))
        .hasMessage(message);
  }

  private static void assertInvalid(String extra, String message) {
    assertRefused(conf(extra), CniCode.INVALID_CONFIG, message);
  }

  @Test
  void defaults() {
    NetConf c = NetConf.parse(conf(""));
    assertThat(c.version).isEqualTo(CniVersion.V1_0_0);
    assertThat(c.name).isEqualTo("calicoj-net");
    assertThat(c.type).isEqualTo("calico-cni");
    assertThat(c.etcdEndpoints).isEqualTo("http://127.0.0.1:2379");
    assertThat(c.etcdCaCertFile).isNull();
    assertThat(c.etcdTimeout).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.nodename("kernel-host")).isEqualTo("kernel-host");
    assertThat(c.mtu).isZero();
    assertThat(c.hostNetns).isNull();
    assertThat(c.logLevel).isEqualTo("warn");
    assertThat(c.logFile).isNull();
    assertThat(c.ipam)
        .isEqualTo(new IpamConf(true, false, java.util.List.of(), java.util.List.of()));
    assertThat(c.dns).isEqualTo(Dns.NONE);
    assertThat(c.runtimeIps).isEmpty();
    assertThat(c.hasPrevResult()).isFalse();
  }

  @Test
  void everyOption() {
    NetConf c =
        NetConf.parse(
            conf(
                ",\"etcd_endpoints\":\"https://10.0.0.1:2379,https://10.0.0.2:2379\""
                    + ",\"etcd_ca_cert_file\":\"/etc/calico/ca.pem\""
                    + ",\"etcd_cert_file\":\"/etc/calico/cert.pem\""
                    + ",\"etcd_key_file\":\"/etc/calico/key.pem\""
                    + ",\"etcd_timeout\":3,\"nodename\":\"node-7\",\"mtu\":1440"
                    + ",\"host_netns\":\"/var/run/netns/host\",\"log_level\":\"DEBUG\""
                    + ",\"log_file_path\":\"/var/log/calico/cni.log\""
                    + ",\"ipam\":{\"type\":\"calico-ipam\",\"assign_ipv4\":\"false\""
                    + ",\"assign_ipv6\":true,\"ipv6_pools\":[\"fd00:1::5/64\"]}"
                    + ",\"dns\":{\"nameservers\":[\"10.0.0.53\"],\"domain\":\"example\""
                    + ",\"search\":[\"a.example\"],\"options\":[\"ndots:2\"]}"
                    + ",\"runtimeConfig\":{\"ips\":[\"fd00:1::9/64\"]}"
                    + ",\"prevResult\":{\"cniVersion\":\"1.0.0\"},\"policy\":{\"type\":\"k8s\"}"));
    assertThat(c.etcdEndpoints).isEqualTo("https://10.0.0.1:2379,https://10.0.0.2:2379");
    assertThat(c.etcdCaCertFile).isEqualTo(Path.of("/etc/calico/ca.pem"));
    assertThat(c.etcdCertFile).isEqualTo(Path.of("/etc/calico/cert.pem"));
    assertThat(c.etcdKeyFile).isEqualTo(Path.of("/etc/calico/key.pem"));
    assertThat(c.etcdTimeout).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.nodename("kernel-host")).isEqualTo("node-7");
    assertThat(c.mtu).isEqualTo(1440);
    assertThat(c.hostNetns).isEqualTo(Path.of("/var/run/netns/host"));
    assertThat(c.logLevel).isEqualTo("debug");
    assertThat(c.logFile).isEqualTo(Path.of("/var/log/calico/cni.log"));
    assertThat(c.ipam.assignIpv4()).isFalse();
    assertThat(c.ipam.assignIpv6()).isTrue();
    assertThat(c.ipam.ipv6Pools()).containsExactly(Cidr.parse("fd00:1::/64")); // normalized
    assertThat(c.dns)
        .isEqualTo(
            new Dns(
                java.util.List.of("10.0.0.53"),
                "example",
                java.util.List.of("a.example"),
                java.util.List.of("ndots:2")));
    assertThat(c.runtimeIps).containsExactly(InetAddresses.forString("fd00:1::9"));
    assertThat(c.hasPrevResult()).isTrue();
  }

  @Test
  void olderVersionsAreRead() {
    assertThat(NetConf.parse(conf("").clone()).version.ipsCarryVersion()).isFalse();
    byte[] v040 =
        "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"type\":\"calico-cni\"}".getBytes(UTF_8);
    assertThat(NetConf.parse(v040).version).isEqualTo(CniVersion.V0_4_0);
  }

  @Test
  void refusesWhatIsNotAConfiguration() {
    assertRefused(
        "{\"cniVersion\":".getBytes(UTF_8),
        CniCode.DECODE_FAILURE,
        "The network configuration on stdin is not valid JSON: Unexpected end-of-input"
            + " within/between Object entries");
    assertRefused(
        "[1]".getBytes(UTF_8),
        CniCode.DECODE_FAILURE,
        "The network configuration on stdin is not a JSON object: [1]");
    assertRefused(
        new byte[0],
        CniCode.DECODE_FAILURE,
        "The network configuration on stdin is not a JSON object (it is empty)");
  }

  @Test
  void refusesUnsupportedVersions() {
    assertRefused(
        "{\"name\":\"n\",\"type\":\"t\"}".getBytes(UTF_8),
        CniCode.INCOMPATIBLE_VERSION,
        "cniVersion (missing) is not supported; this plugin supports 0.3.0, 0.3.1, 0.4.0, 1.0.0");
    assertRefused(
        "{\"cniVersion\":\"0.2.0\",\"name\":\"n\",\"type\":\"t\"}".getBytes(UTF_8),
        CniCode.INCOMPATIBLE_VERSION,
        "cniVersion \"0.2.0\" is not supported; this plugin supports 0.3.0, 0.3.1, 0.4.0, 1.0.0");
  }

  @Test
  void namesTheBadField() {
    assertRefused(
        "{\"cniVersion\":\"1.0.0\",\"type\":\"t\"}".getBytes(UTF_8),
        CniCode.INVALID_CONFIG,
        "name is missing");
    assertRefused(
        "{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}".getBytes(UTF_8),
        CniCode.INVALID_CONFIG,
        "type is missing");
    assertRefused(
        "{\"cniVersion\":\"1.0.0\",\"name\":\"-n\",\"type\":\"t\"}".getBytes(UTF_8),
        CniCode.INVALID_CONFIG,
        "name \"-n\" is not a network name this plugin can use: it names the network's profile,"
            + " so it must be at most 39 letters, digits, '_', '.' or '-', starting with a letter"
            + " or digit");
    assertInvalid(",\"etcd_endpoints\":5", "etcd_endpoints must be a string, not 5");
    assertInvalid(
        ",\"etcd_cert_file\":\"/c.pem\"",
        "etcd_cert_file and etcd_key_file must be given together");
    assertInvalid(
        ",\"etcd_ca_cert_file\":\"ca.pem\"",
        "etcd_ca_cert_file \"ca.pem\" is not an absolute path");
    assertInvalid(",\"etcd_timeout\":0", "etcd_timeout must be a whole number in 1..300, not 0");
    assertInvalid(",\"mtu\":1500.5", "mtu must be a whole number in 68..65535, not 1500.5");
    assertInvalid(",\"mtu\":20", "mtu must be a whole number in 68..65535, not 20");
    assertInvalid(",\"nodename\":\"a/b\"", "nodename \"a/b\" is not a host name");
    assertInvalid(
        ",\"log_level\":\"trace\"",
        "log_level \"trace\" is not one of error, warning, info, debug");
    assertInvalid(
        ",\"ipam\":{\"type\":\"calico-ipam\",\"assign_ipv4\":\"yes\"}",
        "ipam.assign_ipv4 must be true or false, not \"yes\"");
    assertInvalid(
        ",\"ipam\":{\"ipv4_pools\":[\"10.0.0.0/33\"]}",
        "ipam.ipv4_pools: \"10.0.0.0/33\" is not a CIDR");
    assertInvalid(
        ",\"ipam\":{\"ipv4_pools\":[\"fd00::/64\"]}",
        "ipam.ipv4_pools: fd00::/64 is not an IPv4 network");
    assertInvalid(
        ",\"ipam\":{\"ipv4_pools\":\"10.0.0.0/16\"}",
        "ipam.ipv4_pools must be a list of strings, not \"10.0.0.0/16\"");
    assertInvalid(",\"ipam\":[]", "ipam must be an object, not []");
    assertInvalid(
        ",\"dns\":{\"nameservers\":\"10.0.0.53\"}",
        "dns.nameservers must be a list of strings, not \"10.0.0.53\"");
    assertInvalid(
        ",\"runtimeConfig\":{\"ips\":[\"10.0.0.300/24\"]}",
        "runtimeConfig.ips: \"10.0.0.300/24\" is not an IP address");
    assertInvalid(",\"prevResult\":\"x\"", "prevResult must be an object, not \"x\"");
  }

  @Test
  void anotherIpamTypeIsUnsupported() {
    assertRefused(
        conf(",\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.1.0.0/16\"}"),
        CniCode.UNSUPPORTED_FIELD,
        "ipam.type \"host-local\" is not supported: this plugin does its own IPAM, type"
            + " \"calico-ipam\"");
  }

  @Test
  void checkNeedsAPreviousResult() {
    assertThatThrownBy(() -> NetConf.parse(conf("")).prevResult())
        .isInstanceOfSatisfying(
            CniException.class, e -> assertThat(e.code()).isEqualTo(CniCode.INVALID_CONFIG))
        .hasMessage("prevResult is missing: CHECK needs the result of the ADD");
  }

  @Test
  void errorsEchoTheConfigurationsVersion() {
    assertThat(NetConf.versionForErrors("{\"cniVersion\":\"0.4.0\"}".getBytes(UTF_8)))
        .isEqualTo("0.4.0");
    assertThat(NetConf.versionForErrors("{\"cniVersion\":\"9.9.9\"}".getBytes(UTF_8)))
        .isEqualTo("9.9.9");
    assertThat(NetConf.versionForErrors("not json".getBytes(UTF_8))).isEqualTo("1.0.0");
    assertThat(NetConf.versionForErrors("{\"cniVersion\":4}".getBytes(UTF_8))).isEqualTo("1.0.0");
  }
}
