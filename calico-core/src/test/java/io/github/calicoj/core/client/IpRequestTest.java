package io.github.calicoj.core.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpAddresses;
import java.net.InetAddress;
import java.util.List;
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

  @Test
  void onlyPlainAsciiAddressesAreAccepted() {
    for (String bad :
        List.of(
            "fd80:77::5%eth0", // a zone would be written into the endpoint as fd80:77::5%eth0/128
            "\u0661\u0660.\u0667\u0667.\u0660.\u0669", // Arabic-Indic digits, 10.77.0.9
            "\uff11\uff10.77.0.9", // full-width digits
            "::ffff:10.77.0.9", // IPv4-mapped: would silently become IPv4
            "010.77.0.9",
            "10.77.0.9/33",
            "fd80:77::5%eth0/64")) {
      assertThatThrownBy(() -> IpRequest.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(IpRequest.INVALID);
    }
    assertThat(IpRequest.parse("10.77.0.9")).isEqualTo(new IpRequest.Specific(ip("10.77.0.9")));
    assertThat(IpRequest.parse("FD80:77::5")).isEqualTo(new IpRequest.Specific(ip("fd80:77::5")));
  }

  @Test
  void aLongBadArgumentIsQuotedShort() {
    String huge = "x".repeat(1 << 20);
    assertThatThrownBy(() -> IpRequest.parse(huge))
        .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(200));
  }

  @Test
  void strictAddressesSayWhatIsWrong() {
    assertThatThrownBy(() -> IpAddresses.parse("fd80::5%eth0")).hasMessageContaining("zone");
    assertThatThrownBy(() -> IpAddresses.parse("\u0661\u0660.1.1.1")).hasMessageContaining("ASCII");
    assertThatThrownBy(() -> IpAddresses.parse("::ffff:10.0.0.1"))
        .hasMessageContaining("IPv4-mapped");
    assertThatThrownBy(() -> Cidr.parse("fd80::%eth0/64")).hasMessageContaining("Invalid CIDR");
    assertThat(IpAddresses.parse("::1")).isEqualTo(ip("::1"));
  }

  private static InetAddress ip(String s) {
    return InetAddresses.forString(s);
  }
}
