package io.github.calicoj.core.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IpRequestTest {
  @Test
  void parsesTheFourForms() {
    assertThat(IpRequest.parse("IPv4")).isEqualTo(new IpRequest.Auto(4));
    assertThat(IpRequest.parse("ipv6").version()).isEqualTo(6);
    assertThat(IpRequest.parse("192.168.0.1")).isInstanceOf(IpRequest.Specific.class);
    assertThat(IpRequest.parse("fd00::1").version()).isEqualTo(6);
    assertThat(((IpRequest.FromPool) IpRequest.parse("192.168.1.7/16")).pool().toString())
        .isEqualTo("192.168.0.0/16");
    assertThatThrownBy(() -> IpRequest.parse("ipv5"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid IP address specified.  Argument must be a valid IP or CIDR.")
        .hasMessageContaining("ipv5");
  }
}
