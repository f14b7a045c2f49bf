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
import io.github.calicoj.netns.nft.NftExpr.Log;
import io.github.calicoj.netns.nft.NftExpr.Lookup;
import io.github.calicoj.netns.nft.NftExpr.Meta;
import io.github.calicoj.netns.nft.NftExpr.MetaKey;
import io.github.calicoj.netns.nft.NftExpr.Payload;
import io.github.calicoj.netns.nft.NftExpr.PayloadBase;
import io.github.calicoj.netns.nft.NftExpr.Range;
import io.github.calicoj.netns.nft.NftExpr.SetMeta;
import io.github.calicoj.netns.nft.NftExpr.Verdict;
import io.github.calicoj.netns.nft.NftExpr.VerdictCode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The kernel expressions of the agent's rules, as libnftables 1.0.6 would make them from their JSON
 * in an {@code inet} table, expression for expression, so that {@code Nftables.apply} can send them
 * without libnftables and {@code nft list} shows the same rules. libnftables puts a dependency
 * before a header match whose protocol the rule has not fixed yet ({@code meta nfproto} before an
 * IP header, {@code meta l4proto} before a TCP, UDP or ICMP header, both before ICMP, {@code meta
 * iiftype} before the Ethernet header), loads only the whole bytes of a prefix, and compares a port
 * range with {@code >=} and {@code <=} (a negated one with a {@code range}). Translated: the
 * endpoint chains' rules and the profile rules with at most one match on each of the link, network
 * (addresses, prefixes and named sets may repeat) and transport headers, {@code meta
 * nfproto/l4proto/mark}, {@code log}, verdicts and jumps. Everything else (anonymous sets, two
 * transport matches, which libnftables may merge into one load, ICMP type with code, ...) has no
 * translation, and its batch goes through libnftables. Stateless and thread-safe.
 *
 * <p>It is one class of a little over 400 lines because each rule shape's translation must mirror
 * what libnftables 1.0.6 makes of it, and the shapes share their header-match and dependency
 * helpers.
 */
public final class RawRules {
  private static final ObjectMapper MAPPER = JsonMapper.builder().build();
  private static final Data ZERO32 = Data.u32(0);
  private static final int ARPHRD_ETHER = 1;
  private static final int NFPROTO_IPV4 = 2;
  private static final int NFPROTO_IPV6 = 10;
  private static final Map<String, Integer> L4 =
      Map.of("tcp", 6, "udp", 17, "icmp", 1, "icmpv6", 58, "sctp", 132, "udplite", 136);
  private static final Map<String, Integer> LEVELS =
      Map.of(
          "emerg", 0, "alert", 1, "crit", 2, "err", 3, "warn", 4, "notice", 5, "info", 6, "debug",
          7);

  private RawRules() {}

  /** The rule's expressions, or empty if the rule uses anything beyond the translated shapes. */
  public static Optional<List<NftExpr>> translate(NftRule rule) {
    return translate(rule.expr());
  }

  private static Optional<List<NftExpr>> translate(String expr) {
    JsonNode exprs;
    try {
      exprs = MAPPER.readTree(expr);
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
    Translation t = new Translation();
    for (JsonNode statement : exprs) {
      if (!statement.isObject() || statement.size() != 1 || !t.statement(statement)) {
        return Optional.empty();
      }
    }
    return t.out.isEmpty() ? Optional.empty() : Optional.of(List.copyOf(t.out));
  }

  /**
   * {@link #translate} that remembers the last {@value #CACHE_ENTRIES} rule texts it translated: a
   * profile's chains are rendered again whenever it changes, and most of their rules come out as
   * before (as do the mark checks of every profile list's chains), so a change parses only the
   * rules it changed. Results are immutable and shared. Not thread-safe.
   */
  public static final class Cache {
    private static final int CACHE_ENTRIES = 1024;

    private final Map<String, Optional<List<NftExpr>>> known =
        new LinkedHashMap<>(64, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Optional<List<NftExpr>>> e) {
            return size() > CACHE_ENTRIES;
          }
        };

    /** {@link RawRules#translate}, from memory if this rule text was translated recently. */
    public Optional<List<NftExpr>> translate(NftRule rule) {
      Optional<List<NftExpr>> t = known.get(rule.expr());
      if (t == null) {
        t = RawRules.translate(rule.expr());
        known.put(rule.expr(), t);
      }
      return t;
    }

    /** How many rule texts it remembers. */
    int size() {
      return known.size();
    }
  }

  /** One rule's expressions so far, and what its matches have fixed. */
  private static final class Translation {
    final List<NftExpr> out = new ArrayList<>();
    int network; // the family fixed by a match, NFPROTO_*, or 0
    int transport = -1; // the L4 protocol fixed by a match, or -1
    boolean link;
    boolean transportMatched;

    boolean statement(JsonNode statement) {
      String kind = statement.fieldNames().next();
      JsonNode body = statement.get(kind);
      switch (kind) {
        case "mangle" -> {
          return mark(body);
        }
        case "match" -> {
          return match(body);
        }
        case "log" -> {
          JsonNode prefix = body.path("prefix");
          Integer level = LEVELS.get(body.path("level").asText(""));
          if (body.size() != 2 || !prefix.isTextual() || level == null) {
            return false;
          }
          out.add(new Log(prefix.asText(), level));
          return true;
        }
        case "jump", "goto" -> {
          JsonNode target = body.path("target");
          if (body.size() != 1 || !target.isTextual()) {
            return false;
          }
          VerdictCode code = kind.equals("jump") ? VerdictCode.JUMP : VerdictCode.GOTO;
          out.add(new Verdict(code, target.asText()));
          return true;
        }
        case "drop", "return", "accept" -> {
          if (!body.isNull()) {
            return false;
          }
          out.add(new Verdict(VerdictCode.valueOf(kind.toUpperCase(Locale.ROOT)), null));
          return true;
        }
        default -> {
          return false;
        }
      }
    }

    /** {@code meta mark set meta mark & N} or {@code | N}. */
    private boolean mark(JsonNode body) {
      JsonNode value = body.path("value");
      if (!isMeta(body.path("key"), "mark") || value.size() != 1) {
        return false;
      }
      String op = value.fieldNames().next();
      JsonNode args = value.get(op);
      if (!args.isArray() || args.size() != 2 || !isMeta(args.get(0), "mark")) {
        return false;
      }
      if (!args.get(1).isIntegralNumber()) {
        return false;
      }
      int n = (int) args.get(1).asLong();
      if (op.equals("&")) {
        out.add(new Meta(MetaKey.MARK));
        out.add(new Bitwise(Data.u32(n), ZERO32));
      } else if (op.equals("|")) {
        out.add(new Meta(MetaKey.MARK));
        out.add(new Bitwise(Data.u32(~n), Data.u32(n)));
      } else {
        return false;
      }
      out.add(new SetMeta(MetaKey.MARK));
      return true;
    }

    private boolean match(JsonNode body) {
      String opText = body.path("op").asText("");
      if (!opText.equals("==") && !opText.equals("!=")) {
        return false;
      }
      boolean eq = opText.equals("==");
      CmpOp op = eq ? CmpOp.EQ : CmpOp.NEQ;
      JsonNode left = body.path("left");
      JsonNode right = body.path("right");
      if (isMeta(left, "nfproto")) {
        int family =
            switch (right.asText("")) {
              case "ipv4" -> NFPROTO_IPV4;
              case "ipv6" -> NFPROTO_IPV6;
              default -> 0;
            };
        if (family == 0 || network != 0) {
          return false;
        }
        out.add(new Meta(MetaKey.NFPROTO));
        out.add(new Cmp(op, Data.u8(family)));
        network = eq ? family : 0;
        return true;
      }
      if (isMeta(left, "l4proto")) {
        Integer proto =
            right.isIntegralNumber() ? Integer.valueOf(right.asInt()) : L4.get(right.asText(""));
        if (proto == null || proto < 0 || proto > 255 || transport >= 0) {
          return false;
        }
        out.add(new Meta(MetaKey.L4PROTO));
        out.add(new Cmp(op, Data.u8(proto)));
        transport = eq ? proto : -1;
        return true;
      }
      JsonNode and = left.path("&");
      if (left.size() == 1 && and.isArray() && and.size() == 2 && isMeta(and.get(0), "mark")) {
        if (!and.get(1).isIntegralNumber() || !right.isIntegralNumber()) {
          return false;
        }
        out.add(new Meta(MetaKey.MARK));
        out.add(new Bitwise(Data.u32((int) and.get(1).asLong()), ZERO32));
        out.add(new Cmp(op, Data.u32((int) right.asLong())));
        return true;
      }
      JsonNode payload = left.path("payload");
      if (left.size() != 1 || !payload.isObject() || payload.size() != 2) {
        return false;
      }
      String protocol = payload.path("protocol").asText("");
      String field = payload.path("field").asText("");
      return switch (protocol) {
        case "ether" -> ether(field, op, right);
        case "ip", "ip6" -> address(protocol.equals("ip"), field, op, right);
        case "tcp", "udp" -> port(protocol.equals("tcp") ? 6 : 17, field, op, right);
        case "icmp", "icmpv6" -> icmp(protocol.equals("icmp"), field, op, right);
        default -> false;
      };
    }

    private boolean ether(String field, CmpOp op, JsonNode right) {
      byte[] mac = right.isTextual() ? mac(right.asText()) : null;
      if (!field.equals("saddr") || mac == null || link || network != 0 || transport >= 0) {
        return false;
      }
      link = true;
      out.add(new Meta(MetaKey.IIFTYPE));
      out.add(new Cmp(CmpOp.EQ, Data.u16(ARPHRD_ETHER)));
      out.add(new Payload(PayloadBase.LINK, 6, 6));
      out.add(new Cmp(op, Data.of(mac)));
      return true;
    }

    /** {@code ip|ip6 saddr|daddr} against an address, a prefix or a named set. */
    private boolean address(boolean v4, String field, CmpOp op, JsonNode right) {
      if (!field.equals("saddr") && !field.equals("daddr")) {
        return false;
      }
      if (!needsNetwork(v4 ? NFPROTO_IPV4 : NFPROTO_IPV6)) {
        return false;
      }
      int size = v4 ? 4 : 16;
      int offset = v4 ? (field.equals("saddr") ? 12 : 16) : (field.equals("saddr") ? 8 : 24);
      if (right.isTextual() && right.asText().startsWith("@")) {
        String set = right.asText().substring(1);
        out.add(new Payload(PayloadBase.NETWORK, offset, size));
        out.add(new Lookup(set, op == CmpOp.NEQ));
        return true;
      }
      String text;
      int length;
      if (right.isTextual()) {
        text = right.asText();
        length = size * 8;
      } else {
        JsonNode prefix = right.path("prefix");
        if (right.size() != 1 || !prefix.path("addr").isTextual()) {
          return false;
        }
        text = prefix.path("addr").asText();
        length = prefix.path("len").asInt(-1);
      }
      if (!InetAddresses.isInetAddress(text) || length <= 0 || length > size * 8) {
        return false;
      }
      byte[] address = InetAddresses.forString(text).getAddress();
      if ((address.length == 4) != v4) {
        return false;
      }
      if (length % 8 == 0) { // whole bytes: only those are loaded
        byte[] head = Arrays.copyOf(address, length / 8);
        out.add(new Payload(PayloadBase.NETWORK, offset, head.length));
        out.add(new Cmp(op, Data.of(head)));
      } else {
        byte[] mask = new byte[size];
        for (int bit = 0; bit < length; bit++) {
          mask[bit / 8] |= (byte) (0x80 >>> (bit % 8));
        }
        byte[] masked = new byte[size];
        for (int i = 0; i < size; i++) {
          masked[i] = (byte) (address[i] & mask[i]);
        }
        out.add(new Payload(PayloadBase.NETWORK, offset, size));
        out.add(new Bitwise(Data.of(mask), Data.of(new byte[size])));
        out.add(new Cmp(op, Data.of(masked)));
      }
      return true;
    }

    /** The family dependency of a network header match; false if another family is fixed. */
    private boolean needsNetwork(int family) {
      if (network == 0) {
        out.add(new Meta(MetaKey.NFPROTO));
        out.add(new Cmp(CmpOp.EQ, Data.u8(family)));
        network = family;
        return true;
      }
      return network == family;
    }

    /**
     * The dependencies of the rule's one transport header match: {@code meta l4proto} (after {@code
     * meta nfproto} for ICMP, {@code family} not 0) unless a match fixed them; false if another
     * protocol is fixed.
     */
    private boolean needsTransport(int proto, int family) {
      if (transport < 0) {
        if (family != 0 && !needsNetwork(family)) {
          return false;
        }
        out.add(new Meta(MetaKey.L4PROTO));
        out.add(new Cmp(CmpOp.EQ, Data.u8(proto)));
        transport = proto;
      } else if (transport != proto) {
        return false;
      }
      transportMatched = true;
      return true;
    }

    /** {@code tcp|udp sport|dport} against a port or a range. */
    private boolean port(int proto, String field, CmpOp op, JsonNode right) {
      if ((!field.equals("sport") && !field.equals("dport")) || transportMatched) {
        return false;
      }
      if (!needsTransport(proto, 0)) {
        return false;
      }
      Payload load = new Payload(PayloadBase.TRANSPORT, field.equals("sport") ? 0 : 2, 2);
      JsonNode range = right.path("range");
      if (right.isIntegralNumber() && portNumber(right) >= 0) {
        out.add(load);
        out.add(new Cmp(op, be16(portNumber(right))));
        return true;
      }
      if (right.size() == 1 && range.isArray() && range.size() == 2) {
        int lo = portNumber(range.get(0));
        int hi = portNumber(range.get(1));
        if (lo < 0 || hi < lo) {
          return false;
        }
        out.add(load);
        if (op == CmpOp.EQ) {
          out.add(new Cmp(CmpOp.GTE, be16(lo)));
          out.add(new Cmp(CmpOp.LTE, be16(hi)));
        } else {
          out.add(new Range(CmpOp.NEQ, be16(lo), be16(hi)));
        }
        return true;
      }
      return false;
    }

    /** {@code icmp|icmpv6 type|code} against a number. */
    private boolean icmp(boolean v4, String field, CmpOp op, JsonNode right) {
      int proto = v4 ? 1 : 58;
      if ((!field.equals("type") && !field.equals("code"))
          || transportMatched
          || !right.isIntegralNumber()
          || right.asInt() < 0
          || right.asInt() > 255) {
        return false;
      }
      if (!needsTransport(proto, v4 ? NFPROTO_IPV4 : NFPROTO_IPV6)) {
        return false;
      }
      out.add(new Payload(PayloadBase.TRANSPORT, field.equals("type") ? 0 : 1, 1));
      out.add(new Cmp(op, Data.u8(right.asInt())));
      return true;
    }
  }

  private static boolean isMeta(JsonNode n, String key) {
    JsonNode meta = n.path("meta");
    return n.size() == 1 && meta.size() == 1 && meta.path("key").asText("").equals(key);
  }

  /** A port number 0-65535, or -1. */
  private static int portNumber(JsonNode n) {
    return n.isIntegralNumber() && n.asInt() >= 0 && n.asInt() <= 65535 ? n.asInt() : -1;
  }

  /** A 16-bit value in network order (ports). */
  private static Data be16(int v) {
    return Data.of(new byte[] {(byte) (v >>> 8), (byte) v});
  }

  /** {@code aa:bb:cc:dd:ee:ff} as 6 bytes, or null. */
  private static byte @Nullable [] mac(String text) {
    if (!text.matches("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}")) {
      return null;
    }
    return HexFormat.of().parseHex(text.replace(":", ""));
  }
}
