package io.github.calicoj.examples.cli;

import static io.github.calicoj.examples.cli.Messages.echo;

import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.Names;
import io.github.calicoj.core.model.PortRange;
import io.github.calicoj.core.model.Rule;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The rule of {@code profile <PROFILE> rule add|remove}, from the words after the direction: {@code
 * (allow|deny) [(tcp|udp) [from [ports P] [tag T] [cidr C]] [to ...] | (icmp|icmpv6) [type N [code
 * N]] [from [tag T] [cidr C]] [to ...] | [from ...] [to ...]]}, with the reference's messages for
 * bad ports, tags, CIDRs and ICMP numbers. Stateless.
 */
final class RuleParser {
  /** The grammar, for {@code profile --help}. */
  static final String GRAMMAR =
      "<RULE> is (allow|deny) followed by nothing, or by one of:\n"
          + "  (tcp|udp) [from [ports <PORTS>] [tag <TAG>] [cidr <CIDR>]]"
          + " [to [ports <PORTS>] [tag <TAG>] [cidr <CIDR>]]\n"
          + "  (icmp|icmpv6) [type <TYPE> [code <CODE>]] [from [tag <TAG>] [cidr <CIDR>]]"
          + " [to [tag <TAG>] [cidr <CIDR>]]\n"
          + "  [from [tag <TAG>] [cidr <CIDR>]] [to [tag <TAG>] [cidr <CIDR>]]\n"
          + "<PORTS> is a comma-separated list of ports and ranges (80,8080-8090).";

  private static final List<String> PROTOCOLS = List.of("tcp", "udp", "icmp", "icmpv6");
  private static final List<String> MATCHES = List.of("ports", "tag", "cidr");

  private RuleParser() {}

  /** The rule in the remaining arguments of {@code a}. */
  static Rule parse(Args a) {
    List<String> words = a.rest();
    if (words.isEmpty()) {
      throw a.usage("Missing allow or deny.");
    }
    String action = words.get(0).toLowerCase(Locale.ROOT);
    if (!action.equals("allow") && !action.equals("deny")) {
      throw a.usage("Expected allow or deny, got " + echo(words.get(0)) + ".");
    }
    Rule.Builder b = Rule.builder(action);
    int i = 1;
    String protocol = null;
    if (i < words.size() && PROTOCOLS.contains(words.get(i))) {
      protocol = words.get(i++);
      b.protocol(protocol);
    }
    if (protocol != null
        && protocol.startsWith("icmp")
        && i < words.size()
        && words.get(i).equals("type")) {
      b.icmpType(icmpNumber(words, ++i));
      i++;
      if (i < words.size() && words.get(i).equals("code")) {
        b.icmpCode(icmpNumber(words, ++i));
        i++;
      }
    }
    while (i < words.size()) {
      String side = words.get(i++);
      if (!side.equals("from") && !side.equals("to")) {
        throw a.usage("Unexpected " + echo(side) + " in the rule.");
      }
      boolean from = side.equals("from");
      while (i < words.size() && MATCHES.contains(words.get(i))) {
        String kind = words.get(i++);
        if (i >= words.size()) {
          throw a.usage("Missing the value after " + kind + ".");
        }
        String v = words.get(i++);
        switch (kind) {
          case "ports" -> {
            List<PortRange> ports = ports(protocol, v);
            if (from) {
              b.srcPorts(ports);
            } else {
              b.dstPorts(ports);
            }
          }
          case "tag" -> {
            if (!Names.isValidId(v)) {
              throw new CliException(Names.TAG_RULE);
            }
            if (from) {
              b.srcTag(v);
            } else {
              b.dstTag(v);
            }
          }
          default -> {
            Cidr c;
            try {
              c = Cidr.parse(v);
            } catch (IllegalArgumentException e) {
              throw new CliException("Invalid CIDR specified.");
            }
            if (from) {
              b.srcNet(c);
            } else {
              b.dstNet(c);
            }
          }
        }
      }
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new CliException(Messages.of(e));
    }
  }

  private static List<PortRange> ports(@Nullable String protocol, String v) {
    if (protocol == null || !(protocol.equals("tcp") || protocol.equals("udp"))) {
      throw new CliException(
          "Ports are not valid with protocol "
              + (protocol == null ? "None" : "'" + protocol + "'"));
    }
    if (!v.matches("^(\\d+([:-]\\d+)?)(,\\d+([:-]\\d+)?)*$")) {
      throw new CliException(
          "Ports: '"
              + echo(v)
              + "' are invalid; expecting a comma-separated list of ports and port ranges.");
    }
    List<PortRange> ports = new ArrayList<>();
    for (String p : v.split(",", -1)) {
      try {
        ports.add(PortRange.parse(p));
      } catch (IllegalArgumentException e) {
        throw new CliException(Messages.of(e));
      }
    }
    return ports;
  }

  /** An ICMP type or code: 0 to 255, in ASCII digits. */
  private static int icmpNumber(List<String> words, int i) {
    try {
      int v = Inputs.integer(words.get(i));
      if (v < 0 || v > 255) {
        throw new NumberFormatException();
      }
      return v;
    } catch (IndexOutOfBoundsException | NumberFormatException e) {
      throw new CliException("Invalid ICMP type or ICMP code specified.");
    }
  }
}
