package io.github.calicoj.node.bench;

import static io.github.calicoj.testkit.BenchStats.median;
import static io.github.calicoj.testkit.BenchStats.p99;

import com.google.common.net.InetAddresses;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Revision;
import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.internal.NetlinkSocket;
import io.github.calicoj.netns.internal.msg.NlBuilder;
import io.github.calicoj.netns.internal.msg.NlMessage;
import io.github.calicoj.netns.internal.msg.Rtnl;
import io.github.calicoj.netns.nft.NftCommands;
import io.github.calicoj.netns.nft.NftElements;
import io.github.calicoj.netns.nft.NftTable;
import io.github.calicoj.netns.nft.Nftables;
import io.github.calicoj.netns.nft.internal.NftNetlink;
import io.github.calicoj.node.internal.track.IncrementalTracker;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the time of one rule-carrying change goes at 10 and 1,000 local endpoints, part by part:
 * the kernel's commit of a raw batch that replaces the rules of an unreferenced chain ({@code
 * probe}) with a rule that has no expression the kernel validates ({@code counter}), and with one
 * that has ({@code drop}: the whole table is walked from its base chains); the same change through
 * libnftables (its parse and cache fetch added); and, at 1,000 endpoints, the same with both
 * dispatch maps emptied (no list chain reachable: the floor of the loop check). The table is the
 * one the agent renders for {@link NodeBench}'s data (one profile per endpoint: 200 shared list
 * chains at 1,000 endpoints). Run inside a test namespace, as root: {@code ip netns exec NS java
 * -cp ... ValidationProbe}. A probe, not a benchmark with a goal: it prints medians and p99s.
 */
public final class ValidationProbe {
  private static final int ROUNDS = Integer.getInteger("probe.rounds", 300);
  private static final NftTable TABLE = NftTable.inet("calico");

  // include/uapi/linux/netfilter/nf_tables.h
  private static final int NFT_MSG_NEWRULE = 6;
  private static final int NFT_MSG_DELRULE = 8;
  private static final int NFTA_RULE_TABLE = 1;
  private static final int NFTA_RULE_CHAIN = 2;
  private static final int NFTA_RULE_EXPRESSIONS = 4;
  private static final int NFTA_EXPR_NAME = 1;
  private static final int NFTA_EXPR_DATA = 2;
  private static final int NFTA_IMMEDIATE_DREG = 1;
  private static final int NFTA_IMMEDIATE_DATA = 2;
  private static final int NFTA_DATA_VERDICT = 2;
  private static final int NFTA_VERDICT_CODE = 1;
  private static final int NLM_F_APPEND = 0x800;

  private ValidationProbe() {}

  public static void main(String[] args) throws Exception {
    for (int endpoints : new int[] {10, 1000}) {
      probe(endpoints);
    }
  }

  private static void probe(int endpoints) {
    IncrementalTracker tracker = new IncrementalTracker("bench", Map.of());
    List<KeyValue> listing = new ArrayList<>();
    new NodeBench.Data(endpoints)
        .initial()
        .forEach((k, v) -> listing.add(new KeyValue(Key.of(k), v, Revision.of(1))));
    try (NetNs here = NetNs.current();
        Nftables nft = Nftables.open(here);
        NetlinkSocket nl =
            NetlinkSocket.configure(
                NetlinkSocket.rawSocket(NftNetlink.NETLINK_NETFILTER, "NETLINK_NETFILTER"),
                Duration.ofSeconds(10),
                64 * 1024)) {
      nft.run(tracker.reset(listing).toJson());
      nft.run(
          "{\"nftables\": [{\"add\": {\"chain\": {\"family\": \"inet\", \"table\": \"calico\","
              + " \"name\": \"probe\"}}}]}");
      System.out.printf(
          Locale.ROOT,
          "%n%d local endpoints (+%d remote), NodeBench's table:%n",
          endpoints,
          endpoints);
      measure("raw: flush probe + add rule 'counter' (no validation)", () -> replace(nl, false, 1));
      measure("raw: flush probe + add rule 'drop' (table validated)", () -> replace(nl, true, 1));
      measure("raw: flush probe + add 16 rules 'counter'", () -> replace(nl, false, 16));
      measure("raw: flush probe + add 16 rules 'drop'", () -> replace(nl, true, 16));
      String flushAdd =
          "{\"nftables\": [{\"flush\": {\"chain\": {\"family\": \"inet\", \"table\": \"calico\","
              + " \"name\": \"probe\"}}}, {\"add\": {\"rule\": {\"family\": \"inet\", \"table\":"
              + " \"calico\", \"chain\": \"probe\", \"expr\": [{\"drop\": null}]}}}]}";
      measure("libnftables: flush probe + add rule 'drop'", () -> nft.run(flushAdd));
      String[] element = {"add", "delete"};
      int[] i = {0};
      measure(
          "libnftables: add/delete element t4_p0",
          () ->
              nft.run(
                  "{\"nftables\": [{\""
                      + element[i[0]++ % 2]
                      + "\": {\"element\": {\"family\": \"inet\", \"table\": \"calico\", \"name\":"
                      + " \"t4_p0\", \"elem\": [\"10.99.0.1\"]}}}]}"));
      measure(
          "raw: add/delete element t4_p0",
          () -> {
            NftElements.Builder b = NftElements.builder(TABLE);
            b.command(
                i[0]++ % 2 == 0 ? NftElements.Verb.ADD : NftElements.Verb.DELETE,
                "t4_p0",
                List.of(InetAddresses.forString("10.99.0.1")));
            nft.applyElements(b.build());
          });
      // The bench's profile append, its raw commands alone: endpoint 3 gains profile 4 and loses
      // it.
      NodeBench.Data data = new NodeBench.Data(endpoints);
      String key = NodeBench.Data.key("bench", 3);
      String[] values = {
        NodeBench.Data.endpoint("bench", 3, "p" + (3 % data.profiles), "p" + (4 % data.profiles)),
        NodeBench.Data.endpoint("bench", 3, "p" + (3 % data.profiles))
      };
      int[] round = {0};
      List<NftCommands> appends = new ArrayList<>();
      for (String v : values) {
        tracker.put(Key.of(key), v);
        NftCommands c = tracker.update().nft().rawCommands().orElseThrow();
        appends.add(c);
        nft.apply(c);
      }
      System.out.printf(
          Locale.ROOT,
          "  (profile append: %d commands, %d of them rules)%n",
          appends.get(0).commands().size(),
          appends.get(0).commands().stream().filter(c -> c instanceof NftCommands.AddRule).count());
      measure(
          "raw: the bench's profile append and its undo",
          () -> nft.apply(appends.get(round[0]++ % 2)));
      // The bench's rule update: profile p1's rules with another port, and back.
      List<NftCommands> updates = new ArrayList<>();
      for (int port : new int[] {81, 82}) {
        tracker.put(Key.of("/calico/v1/policy/profile/p1/rules"), data.rules(1, port));
        NftCommands c = tracker.update().nft().rawCommands().orElseThrow();
        updates.add(c);
        nft.apply(c);
      }
      System.out.printf(
          Locale.ROOT,
          "  (rule update: %d commands, %d of them rules)%n",
          updates.get(0).commands().size(),
          updates.get(0).commands().stream().filter(c -> c instanceof NftCommands.AddRule).count());
      measure(
          "raw: the bench's rule update and back", () -> nft.apply(updates.get(round[0]++ % 2)));
      if (endpoints >= 1000) {
        nft.run(
            "{\"nftables\": [{\"flush\": {\"map\": {\"family\": \"inet\", \"table\": \"calico\","
                + " \"name\": \"fw_dispatch\"}}}, {\"flush\": {\"map\": {\"family\": \"inet\","
                + " \"table\": \"calico\", \"name\": \"tw_dispatch\"}}}]}");
        System.out.println("  dispatch maps emptied (list chains unreachable):");
        measure("raw: flush probe + add rule 'drop' (table validated)", () -> replace(nl, true, 1));
      }
      nft.deleteTableIfExists(TABLE);
    }
  }

  private static void measure(String what, Runnable r) {
    for (int i = 0; i < 30; i++) {
      r.run();
    }
    long[] t = new long[ROUNDS];
    for (int i = 0; i < ROUNDS; i++) {
      long t0 = System.nanoTime();
      r.run();
      t[i] = System.nanoTime() - t0;
    }
    System.out.printf(
        Locale.ROOT,
        "  %-60s median %6.3f ms  p99 %6.3f ms%n",
        what,
        median(t) / 1e6,
        p99(t) / 1e6);
  }

  /** One raw batch: DELRULE without a handle (flush chain probe), {@code rules} NEWRULEs. */
  private static void replace(NetlinkSocket nl, boolean verdict, int rules) {
    Map<Integer, NlMessage> refused =
        nl.requestBatch(
            "probe",
            "probe",
            (buf, first) -> {
              batchHeader(buf, NftNetlink.NFNL_MSG_BATCH_BEGIN, first);
              ruleMessage(buf, NFT_MSG_DELRULE, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK, first + 1)
                  .finish();
              for (int r = 0; r < rules; r++) {
                NlBuilder add =
                    ruleMessage(
                        buf,
                        NFT_MSG_NEWRULE,
                        Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK | Rtnl.NLM_F_CREATE | NLM_F_APPEND,
                        first + 2 + r);
                int exprs = add.beginNest(NFTA_RULE_EXPRESSIONS | Rtnl.NLA_F_NESTED);
                int elem = add.beginNest(1 | Rtnl.NLA_F_NESTED);
                if (verdict) {
                  add.attrString(NFTA_EXPR_NAME, "immediate");
                  int data = add.beginNest(NFTA_EXPR_DATA | Rtnl.NLA_F_NESTED);
                  add.attrU32(NFTA_IMMEDIATE_DREG, 0); // NFT_REG_VERDICT
                  int imm = add.beginNest(NFTA_IMMEDIATE_DATA | Rtnl.NLA_F_NESTED);
                  int v = add.beginNest(NFTA_DATA_VERDICT | Rtnl.NLA_F_NESTED);
                  add.attrU32(NFTA_VERDICT_CODE, 0); // NF_DROP (0 in either byte order)
                  add.endNest(v).endNest(imm).endNest(data);
                } else {
                  add.attrString(NFTA_EXPR_NAME, "counter");
                }
                add.endNest(elem).endNest(exprs).finish();
              }
              batchHeader(buf, NftNetlink.NFNL_MSG_BATCH_END, first + 2 + rules);
              return buf.position();
            },
            1 + rules);
    if (!refused.isEmpty()) {
      throw new IllegalStateException(
          "refused: errno " + refused.values().iterator().next().errno());
    }
  }

  private static void batchHeader(ByteBuffer buf, int type, int seq) {
    new NlBuilder(buf, type, Rtnl.NLM_F_REQUEST, seq)
        .nfgenmsg(Rtnl.AF_UNSPEC, NftNetlink.NFNL_SUBSYS_NFTABLES)
        .finish();
  }

  private static NlBuilder ruleMessage(ByteBuffer buf, int msg, int flags, int seq) {
    return new NlBuilder(buf, (NftNetlink.NFNL_SUBSYS_NFTABLES << 8) | msg, flags, seq)
        .nfgenmsg(1, 0) // NFPROTO_INET
        .attrString(NFTA_RULE_TABLE, "calico")
        .attrString(NFTA_RULE_CHAIN, "probe");
  }
}
