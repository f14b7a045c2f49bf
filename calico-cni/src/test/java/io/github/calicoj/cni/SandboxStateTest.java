package io.github.calicoj.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.common.net.InetAddresses;
import io.github.calicoj.cni.SandboxState.KernelRoute;
import io.github.calicoj.netns.IpPrefix;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The procfs parsers, on text as this kernel printed it inside a Calico workload. */
class SandboxStateTest {

  @Test
  void ipv4Routes() {
    // procfs prints each big-endian address as a host-order integer: these lines are x86/arm64's.
    assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "a little-endian host");
    String text =
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
            + "eth0\t00000000\t0101FEA9\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
            + "eth0\t0101FEA9\t00000000\t0005\t0\t0\t0\tFFFFFFFF\t0\t0\t0\n"
            + "eth0\t0000410A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n";
    assertThat(SandboxState.parseIpv4Routes(text))
        .containsExactly(
            new KernelRoute(
                IpPrefix.parse("0.0.0.0/0"), InetAddresses.forString("169.254.1.1"), "eth0"),
            new KernelRoute(IpPrefix.parse("169.254.1.1/32"), null, "eth0"),
            new KernelRoute(IpPrefix.parse("10.65.0.0/16"), null, "eth0"));
  }

  @Test
  void ipv6Routes() {
    String text =
        "fd000065000000000000000000000005 80 00000000000000000000000000000000 00"
            + " 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n"
            + "00000000000000000000000000000000 00 00000000000000000000000000000000 00"
            + " fe80000000000000eceeeefffeeeeeee 00000400 00000001 00000000 00000003     eth0\n";
    assertThat(SandboxState.parseIpv6Routes(text))
        .containsExactly(
            new KernelRoute(IpPrefix.parse("fd00:65::5/128"), null, "eth0"),
            new KernelRoute(
                IpPrefix.parse("::/0"),
                InetAddresses.forString("fe80::ecee:eeff:feee:eeee"),
                "eth0"));
  }

  @Test
  void ipv6AddressesOfOneDevice() {
    String text =
        "fd000065000000000000000000000005 02 80 00 80     eth0\n"
            + "fe80000000000000f0fc22fffeb34615 02 40 20 80     eth0\n"
            + "00000000000000000000000000000001 01 80 10 80       lo\n";
    assertThat(SandboxState.parseIpv6Addresses(text, "eth0"))
        .containsExactly(
            InetAddresses.forString("fd00:65::5"),
            InetAddresses.forString("fe80::f0fc:22ff:feb3:4615"));
    assertThat(SandboxState.parseIpv6Addresses(text, "eth1")).isEmpty();
  }
}
