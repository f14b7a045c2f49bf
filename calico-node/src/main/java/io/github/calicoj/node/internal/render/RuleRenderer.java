package io.github.calicoj.node.internal.render;

import static io.github.calicoj.node.internal.nft.Expr.and;
import static io.github.calicoj.node.internal.nft.Expr.meta;
import static io.github.calicoj.node.internal.nft.Expr.number;
import static io.github.calicoj.node.internal.nft.Expr.payload;
import static io.github.calicoj.node.internal.nft.Expr.text;
import static io.github.calicoj.node.internal.nft.Expr.verdict;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.PortRange;
import io.github.calicoj.core.model.Rule;
import io.github.calicoj.node.internal.model.Direction;
import io.github.calicoj.node.internal.model.IpFamily;
import io.github.calicoj.node.internal.model.PolicyProfile;
import io.github.calicoj.node.internal.model.PolicyRule;
import io.github.calicoj.node.internal.model.PolicyRules;
import io.github.calicoj.node.internal.nft.Expr;
import io.github.calicoj.node.internal.nft.NftRule;
import io.github.calicoj.node.internal.nft.RuleBuilder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Renders a profile's rules into the rules of its chain, with Felix's rule semantics. A matching
 * {@code allow} sets the accept mark bit and returns; {@code deny} drops; {@code log} logs and
 * continues; {@code next-tier} returns without the mark, so the endpoint chain goes on to its next
 * profile (Felix 1.4's and 2.x's code, not the v1.5 docs' "synonym for allow"). A rule in both
 * families that names a tag becomes two rules, one per family's set. Stateless and thread-safe.
 */
final class RuleRenderer {
  /** The log prefix Felix used when a rule has none. */
  static final String DEFAULT_LOG_PREFIX = "calico-packet";

  private final long acceptMark;

  RuleRenderer(int acceptMark) {
    this.acceptMark = Integer.toUnsignedLong(acceptMark);
  }

  /** A tag set that a rendered rule refers to. */
  record TagRef(IpFamily family, String tag) {
    static final Comparator<TagRef> ORDER =
        Comparator.comparing(TagRef::family).thenComparing(TagRef::tag);
  }

  /** The accept mark bit, unsigned. */
  long acceptMark() {
    return acceptMark;
  }

  /**
   * The chain's rules for one direction of {@code profile}; a profile without valid rules drops.
   * Every tag set referred to is added to {@code tags}.
   */
  List<NftRule> chain(@Nullable PolicyProfile profile, String name, Direction d, Set<TagRef> tags) {
    PolicyRules rules = profile == null ? null : profile.rules();
    if (rules == null) {
      String why = profile == null ? "does not exist" : "has no valid rules";
      return List.of(RuleBuilder.rule().add(verdict("drop")).build("profile " + name + " " + why));
    }
    String list = d == Direction.INBOUND ? "inbound_rules" : "outbound_rules";
    List<NftRule> out = new ArrayList<>();
    List<PolicyRule> of = rules.of(d);
    for (int i = 0; i < of.size(); i++) {
      out.addAll(rule(of.get(i), list + "[" + i + "]", tags));
    }
    return out;
  }

  /** One Calico rule as zero, one or two nftables rules. */
  List<NftRule> rule(PolicyRule r, String where, Set<TagRef> tags) {
    if (r instanceof PolicyRule.Drop drop) {
      RuleBuilder b = RuleBuilder.rule();
      only(drop.families(), b);
      return List.of(b.add(verdict("drop")).build(where + ": " + drop.reason()));
    }
    if (!(r instanceof PolicyRule.Match m)) {
      return List.of(); // Inert: no packet matches it
    }
    Rule x = m.rule();
    boolean anyTag =
        x.srcTag() != null || x.dstTag() != null || x.notSrcTag() != null || x.notDstTag() != null;
    List<List<PortRange>> srcAlternatives = alternatives(x.srcPorts());
    List<List<PortRange>> dstAlternatives = alternatives(x.dstPorts());
    List<NftRule> out = new ArrayList<>();
    List<@Nullable IpFamily> families = new ArrayList<>();
    if (m.families().size() == 2 && !anyTag) {
      families.add(null);
    } else {
      for (IpFamily f : IpFamily.values()) {
        if (m.families().contains(f)) {
          families.add(f);
        }
      }
    }
    for (IpFamily f : families) {
      for (List<PortRange> src : srcAlternatives) {
        for (List<PortRange> dst : dstAlternatives) {
          out.add(match(m, f, tags, src, dst));
        }
      }
    }
    return out;
  }

  /**
   * A port list as alternatives that need no interval set: all single ports in one alternative
   * (matched as one value or an anonymous set of values), each range in one of its own (matched as
   * {@code lo-hi}). Ranges are merged and singles inside them dropped, so the alternatives are
   * disjoint and a packet matches at most one of the rules they become (a {@code log} rule logs it
   * once). An empty list is one empty alternative (no port match). libnftables fetches the elements
   * of every interval set, anonymous ones included, before each element command, so a table without
   * them keeps set updates cheap however many profiles there are.
   */
  static List<List<PortRange>> alternatives(List<PortRange> ports) {
    if (ports.isEmpty()) {
      return List.of(List.of());
    }
    List<PortRange> ranges = merged(ports);
    List<PortRange> singles = new ArrayList<>();
    List<List<PortRange>> out = new ArrayList<>();
    for (PortRange r : ranges) {
      if (r.isSingle()) {
        singles.add(r);
      } else {
        out.add(List.of(r));
      }
    }
    if (!singles.isEmpty()) {
      out.add(0, List.copyOf(singles));
    }
    return out;
  }

  /** The ports as sorted, disjoint, non-adjacent ranges (a single port is a range of one). */
  static List<PortRange> merged(List<PortRange> ports) {
    List<PortRange> sorted = new ArrayList<>(ports);
    sorted.sort(Comparator.comparingInt(PortRange::low).thenComparingInt(PortRange::high));
    List<PortRange> out = new ArrayList<>();
    for (PortRange p : sorted) {
      if (!out.isEmpty() && p.low() <= out.get(out.size() - 1).high() + 1) {
        PortRange last = out.remove(out.size() - 1);
        out.add(PortRange.range(last.low(), Math.max(last.high(), p.high())));
      } else {
        out.add(p);
      }
    }
    return out;
  }

  /** {@code meta nfproto F} if the families are just one. */
  private static void only(Set<IpFamily> families, RuleBuilder b) {
    if (families.size() == 1) {
      b.eq(meta("nfproto"), text(families.iterator().next().nfproto()));
    }
  }

  /**
   * The rule for family {@code f} (both if null) and one alternative of each port list ({@link
   * #alternatives}).
   */
  private NftRule match(
      PolicyRule.Match m,
      @Nullable IpFamily f,
      Set<TagRef> tags,
      List<PortRange> srcPorts,
      List<PortRange> dstPorts) {
    Rule r = m.rule();
    RuleBuilder b = RuleBuilder.rule();
    String proto = r.protocol();
    boolean ports =
        !r.srcPorts().isEmpty()
            || !r.notSrcPorts().isEmpty()
            || !r.dstPorts().isEmpty()
            || !r.notDstPorts().isEmpty();
    boolean icmp = r.icmpType() != null || r.notIcmpType() != null;
    // A port or ICMP match carries its protocol (nftables adds the dependency itself).
    if (proto != null && !ports && !icmp) {
      b.eq(meta("l4proto"), protocol(proto));
    }
    if (r.notProtocol() != null) {
      b.ne(meta("l4proto"), protocol(r.notProtocol()));
    }
    boolean familyImplied = false;
    familyImplied |= net(b, f, "saddr", r.srcNet(), false);
    familyImplied |= net(b, f, "saddr", r.notSrcNet(), true);
    familyImplied |= tag(b, f, "saddr", r.srcTag(), false, tags);
    familyImplied |= tag(b, f, "saddr", r.notSrcTag(), true, tags);
    ports(b, proto, "sport", srcPorts, false);
    ports(b, proto, "sport", r.notSrcPorts(), true);
    familyImplied |= net(b, f, "daddr", r.dstNet(), false);
    familyImplied |= net(b, f, "daddr", r.notDstNet(), true);
    familyImplied |= tag(b, f, "daddr", r.dstTag(), false, tags);
    familyImplied |= tag(b, f, "daddr", r.notDstTag(), true, tags);
    ports(b, proto, "dport", dstPorts, false);
    ports(b, proto, "dport", r.notDstPorts(), true);
    familyImplied |= icmp(b, f, r);
    if (f != null && !familyImplied) {
      b.addFirst(Expr.match("==", meta("nfproto"), text(f.nfproto())));
    }
    action(b, r.action(), m.logPrefix());
    return b.build();
  }

  private static JsonNode protocol(String p) {
    return Character.isDigit(p.charAt(0)) ? number(Integer.parseInt(p)) : text(p);
  }

  private static boolean net(
      RuleBuilder b, @Nullable IpFamily f, String field, @Nullable Cidr net, boolean not) {
    if (net == null) {
      return false;
    }
    IpFamily family = requireNonNull(f, "a rule with a network has one family");
    b.match(not, payload(family.payload(), field), Expr.address(net));
    return true;
  }

  private static boolean tag(
      RuleBuilder b,
      @Nullable IpFamily f,
      String field,
      @Nullable String tag,
      boolean not,
      Set<TagRef> tags) {
    if (tag == null) {
      return false;
    }
    IpFamily family = requireNonNull(f, "a rule with a tag is rendered per family");
    tags.add(new TagRef(family, tag));
    b.match(not, payload(family.payload(), field), Expr.setRef(NftNames.tagSet(family, tag)));
    return true;
  }

  /**
   * Port matches without interval sets. Positive: {@code ports} is one alternative, either single
   * ports ({@code dport 80} or {@code dport { 80, 443 }}) or one range ({@code dport 8000-8080}).
   * Negated: every port must differ, so the singles are one {@code !=} match and each range another
   * ({@code dport != { 22, 25 } dport != 8000-8080}).
   */
  private static void ports(
      RuleBuilder b, @Nullable String proto, String field, List<PortRange> ports, boolean not) {
    if (ports.isEmpty()) {
      return;
    }
    String protocol = requireNonNull(proto, "ports need tcp or udp");
    List<JsonNode> singles = new ArrayList<>();
    List<JsonNode> ranges = new ArrayList<>();
    for (PortRange p : not ? merged(ports) : ports) {
      if (p.isSingle()) {
        singles.add(number(p.low()));
      } else {
        ranges.add(Expr.range(p.low(), p.high()));
      }
    }
    if (!singles.isEmpty()) {
      b.match(not, payload(protocol, field), Expr.oneOrSet(singles));
    }
    for (JsonNode r : ranges) {
      b.match(not, payload(protocol, field), r);
    }
  }

  /** ICMP type and code of the rule's family; true if there was one. */
  private static boolean icmp(RuleBuilder b, @Nullable IpFamily f, Rule r) {
    if (r.icmpType() == null && r.notIcmpType() == null) {
      return false;
    }
    String icmp = requireNonNull(f, "an ICMP rule has one family").icmp();
    Integer type = r.icmpType();
    if (type != null) {
      b.eq(payload(icmp, "type"), number(type));
      Integer code = r.icmpCode();
      if (code != null) {
        b.eq(payload(icmp, "code"), number(code));
      }
    }
    Integer notType = r.notIcmpType();
    if (notType != null) {
      Integer notCode = r.notIcmpCode();
      if (notCode == null) {
        b.ne(payload(icmp, "type"), number(notType));
      } else {
        // "!icmp_type" with "!icmp_code" negates the pair
        JsonNode pair = Expr.concat(payload(icmp, "type"), payload(icmp, "code"));
        b.ne(pair, Expr.set(List.of(Expr.concat(number(notType), number(notCode)))));
      }
    }
    return true;
  }

  private void action(RuleBuilder b, String action, @Nullable String logPrefix) {
    if (action.equals("log") || logPrefix != null) {
      String prefix = logPrefix == null ? DEFAULT_LOG_PREFIX : logPrefix;
      b.add(Expr.log(prefix + ": ", "notice"));
    }
    switch (action) {
      case "allow" -> b.add(Expr.setMark(Expr.or(meta("mark"), acceptMark))).add(verdict("return"));
      case "deny" -> b.add(verdict("drop"));
      case "next-tier" -> b.add(verdict("return"));
      case "log" -> {
        // logs and goes on with the next rule
      }
      default -> throw new IllegalStateException("Unknown action " + action);
    }
  }

  /** {@code meta mark & ACCEPT == ACCEPT}: a profile accepted the packet. */
  JsonNode accepted() {
    return Expr.match("==", and(meta("mark"), acceptMark), number(acceptMark));
  }
}
