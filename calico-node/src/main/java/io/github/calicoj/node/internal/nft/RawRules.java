package io.github.calicoj.node.internal.nft;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.common.net.InetAddresses;
import io.github.calicoj.netns.nft.NftExpr;
import io.github.calicoj.netns.nft.NftExpr.Bitwise;
import io.github.calicoj.netns.nft.NftExpr.Cmp;
import io.github.calicoj.netns.nft.NftExpr.CmpOp;
import io.github.calicoj.netns.nft.NftExpr.Data;
import io.github.calicoj.netns.nft.NftExpr.Meta;
import io.github.calicoj.netns.nft.NftExpr.MetaKey;
import io.github.calicoj.netns.nft.NftExpr.Payload;
import io.github.calicoj.netns.nft.NftExpr.PayloadBase;
import io.github.calicoj.netns.nft.NftExpr.SetMeta;
import io.github.calicoj.netns.nft.NftExpr.Verdict;
import io.github.calicoj.netns.nft.NftExpr.VerdictCode;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The kernel expressions of the agent's rules that need no set, map or range: what libnftables
 * would turn their JSON into, expression for expression (dependencies included: {@code meta
 * nfproto} before an IP address match in an {@code inet} table, {@code meta iiftype ether} before a
 * MAC match), so that {@code Nftables.apply} can send them without libnftables and {@code nft list}
 * shows the same rules. The endpoint chains' rules are all of this kind: clearing the accept bit,
 * MAC and single-address source checks, a family's drop, jumps to profile chains, the accept bit's
 * return, {@code drop}. Anything else (anonymous sets, prefixes, ports, set lookups, logs, ...) has
 * no translation, and its batch goes through libnftables. Stateless and thread-safe.
 */
public final class RawRules {
  private static final ObjectMapper MAPPER = JsonMapper.builder().build();
  private static final Data ZERO32 = Data.u32(0);
  private static final int ARPHRD_ETHER = 1;
  private static final int NFPROTO_IPV4 = 2;
  private static final int NFPROTO_IPV6 = 10;

  private RawRules() {}

  /** The rule's expressions, or empty if the rule uses anything beyond the translated shapes. */
  public static Optional<List<NftExpr>> translate(NftRule rule) {
    JsonNode exprs;
    try {
      exprs = MAPPER.readTree(rule.expr());
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
    List<NftExpr> out = new ArrayList<>();
    int dependencies = 0;
    boolean nfprotoMatch = false;
    for (JsonNode statement : exprs) {
      if (!statement.isObject() || statement.size() != 1) {
        return Optional.empty();
      }
      String kind = statement.fieldNames().next();
      JsonNode body = statement.get(kind);
      switch (kind) {
        case "mangle" -> {
          if (!isMeta(body.path("key"), "mark") || !isMarkAnd(body.path("value"))) {
            return Optional.empty();
          }
          out.add(new Meta(MetaKey.MARK));
          out.add(new Bitwise(u32(body.path("value").path("&").get(1)), ZERO32));
          out.add(new SetMeta(MetaKey.MARK));
        }
        case "match" -> {
          List<NftExpr> m = match(body);
          if (m.isEmpty()) {
            return Optional.empty();
          }
          if (m.stream().anyMatch(e -> e instanceof Payload)) {
            dependencies++; // a header match, after the dependency nft puts before it
          } else if (m.get(0).equals(new Meta(MetaKey.NFPROTO))) {
            nfprotoMatch = true;
          }
          out.addAll(m);
        }
        case "jump", "goto" -> {
          JsonNode target = body.path("target");
          if (!target.isTextual()) {
            return Optional.empty();
          }
          VerdictCode code = kind.equals("jump") ? VerdictCode.JUMP : VerdictCode.GOTO;
          out.add(new Verdict(code, target.asText()));
        }
        case "drop", "return", "accept" -> {
          if (!body.isNull()) {
            return Optional.empty();
          }
          out.add(new Verdict(VerdictCode.valueOf(kind.toUpperCase(Locale.ROOT)), null));
        }
        default -> {
          return Optional.empty();
        }
      }
    }
    // nft leaves out a dependency that an earlier match of the rule already gives: only rules
    // with at most one dependency and no explicit family match are translated.
    if (out.isEmpty() || dependencies > 1 || (dependencies == 1 && nfprotoMatch)) {
      return Optional.empty();
    }
    return Optional.of(List.copyOf(out));
  }

  /** The expressions of one {@code match} statement, or empty. */
  private static List<NftExpr> match(JsonNode body) {
    String opText = body.path("op").asText("");
    if (!opText.equals("==") && !opText.equals("!=")) {
      return List.of();
    }
    CmpOp op = opText.equals("==") ? CmpOp.EQ : CmpOp.NEQ;
    JsonNode left = body.path("left");
    JsonNode right = body.path("right");
    if (isMeta(left, "nfproto") && right.isTextual()) {
      int family =
          switch (right.asText()) {
            case "ipv4" -> NFPROTO_IPV4;
            case "ipv6" -> NFPROTO_IPV6;
            default -> -1;
          };
      return family < 0
          ? List.of()
          : List.of(new Meta(MetaKey.NFPROTO), new Cmp(op, Data.u8(family)));
    }
    if (isMarkAnd(left) && right.isIntegralNumber()) {
      return List.of(
          new Meta(MetaKey.MARK),
          new Bitwise(u32(left.path("&").get(1)), ZERO32),
          new Cmp(op, u32(right)));
    }
    JsonNode payload = left.path("payload");
    if (!payload.isObject() || payload.size() != 2 || !right.isTextual()) {
      return List.of();
    }
    String protocol = payload.path("protocol").asText("");
    String field = payload.path("field").asText("");
    if (protocol.equals("ether") && field.equals("saddr")) {
      byte[] mac = mac(right.asText());
      return mac == null
          ? List.of()
          : List.of(
              new Meta(MetaKey.IIFTYPE),
              new Cmp(CmpOp.EQ, Data.u16(ARPHRD_ETHER)),
              new Payload(PayloadBase.LINK, 6, 6),
              new Cmp(op, Data.of(mac)));
    }
    boolean v4 = protocol.equals("ip");
    if ((!v4 && !protocol.equals("ip6"))
        || (!field.equals("saddr") && !field.equals("daddr"))
        || !InetAddresses.isInetAddress(right.asText())) {
      return List.of();
    }
    InetAddress address = InetAddresses.forString(right.asText());
    if ((address instanceof Inet4Address) != v4) {
      return List.of();
    }
    boolean source = field.equals("saddr");
    int offset = v4 ? (source ? 12 : 16) : (source ? 8 : 24);
    return List.of(
        new Meta(MetaKey.NFPROTO),
        new Cmp(CmpOp.EQ, Data.u8(v4 ? NFPROTO_IPV4 : NFPROTO_IPV6)),
        new Payload(PayloadBase.NETWORK, offset, v4 ? 4 : 16),
        new Cmp(op, Data.of(address.getAddress())));
  }

  private static boolean isMeta(JsonNode n, String key) {
    JsonNode meta = n.path("meta");
    return n.size() == 1 && meta.size() == 1 && meta.path("key").asText("").equals(key);
  }

  /** {@code meta mark & N}. */
  private static boolean isMarkAnd(JsonNode n) {
    JsonNode and = n.path("&");
    return n.size() == 1
        && and.isArray()
        && and.size() == 2
        && isMeta(and.get(0), "mark")
        && and.get(1).isIntegralNumber();
  }

  /** An unsigned 32-bit JSON number as host-order bytes. */
  private static Data u32(JsonNode n) {
    return Data.u32((int) n.asLong());
  }

  /** {@code aa:bb:cc:dd:ee:ff} as 6 bytes, or null. */
  private static byte @Nullable [] mac(String text) {
    if (!text.matches("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}")) {
      return null;
    }
    return HexFormat.of().parseHex(text.replace(":", ""));
  }
}
