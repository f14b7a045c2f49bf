package io.github.calicoj.netns.nft;

import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.nft.internal.NativeNftables;
import io.github.calicoj.netns.nft.internal.NftJson;
import java.time.Duration;
import java.util.List;

/**
 * nftables in one network namespace, programmed through libnftables (the netfilter project's own
 * library, the one {@code nft} and firewalld use) with JSON commands ({@code man
 * libnftables-json}), and, for set elements ({@link #applyElements}) and for chains and rules of a
 * few shapes ({@link #apply}), through nf_tables netlink batches that calicoj encodes itself, which
 * skip libnftables' parse and its fetch of the whole ruleset. No process is ever started.
 *
 * <pre>{@code
 * try (NetNs host = NetNs.open(Path.of("/var/run/netns/host"));
 *     Nftables nft = Nftables.open(host)) {
 *   nft.run("""
 *       {"nftables": [
 *         {"add": {"table": {"family": "inet", "name": "calico"}}},
 *         {"add": {"set": {"family": "inet", "table": "calico", "name": "t4_web",
 *                          "type": "ipv4_addr"}}},
 *         {"add": {"element": {"family": "inet", "table": "calico", "name": "t4_web",
 *                              "elem": ["10.65.0.7"]}}}]}""");
 *   String table = nft.listTable(NftTable.inet("calico")); // JSON, with handles
 * }
 * }</pre>
 *
 * <p><b>Transactions:</b> one call is one libnftables buffer, which the kernel commits as one
 * transaction: if any command in it fails, none is applied (this includes a command that fails only
 * in the kernel, e.g. {@code create} of an element that exists). To replace a table atomically, put
 * {@code add table} (a no-op if it exists), {@code delete table} and the new table's contents in
 * one document.
 *
 * <p><b>Namespaces and threads:</b> libnftables acts in the namespace of the thread that calls it:
 * the context's netfilter socket is opened in {@code nft_ctx_new}, and interface names in rules
 * ({@code meta iif "eth0"}) are resolved at each command through the calling thread's namespace. So
 * each handle owns one platform thread of its own, which enters the namespace when the handle
 * opens, creates the context there and its netfilter socket, runs every libnftables command of this
 * handle and nothing else, and ends at {@link #close()}. A raw batch ({@link #applyElements},
 * {@link #apply}) needs only that socket, which stays bound to the namespace: it is sent from the
 * caller's thread when the handle's thread has nothing queued or running, else queued behind that
 * work. Callers' threads never switch namespaces (virtual threads may call).
 *
 * <p><b>Thread safety:</b> thread-safe. A libnftables context is not, so commands from all threads
 * run one at a time, in the order they arrive; libnftables' process-wide state (its interface
 * cache) also makes commands of different handles take turns. Each call waits at most the handle's
 * timeout (default {@link #DEFAULT_TIMEOUT}).
 *
 * <p><b>Ownership:</b> the opener owns the handle and closes it. The {@link NetNs} is borrowed only
 * while {@code open} runs; it may be closed afterwards (the handle's thread keeps the namespace
 * alive).
 *
 * <p><b>Errors:</b> {@link NftablesException} with libnftables' error text and, where the text
 * names one, the errno ({@code ENOENT} for a missing table, set or element; {@code EEXIST} for a
 * {@code create} of something that exists). Input that is not a JSON document is refused with
 * {@link IllegalArgumentException} before libnftables sees it.
 */
public interface Nftables extends AutoCloseable {

  /** The default bound on waiting for one command, and for the handle's thread to start or end. */
  Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Opens a handle on nftables in {@code ns}.
   *
   * @throws UnsupportedOperationException if libnftables is unavailable ({@link NftablesSupport})
   * @throws IllegalStateException if {@code ns} is closed
   * @throws io.github.calicoj.netns.NetnsException if the namespace cannot be entered
   */
  static Nftables open(NetNs ns) {
    return NativeNftables.open(ns, DEFAULT_TIMEOUT);
  }

  /**
   * Opens a handle on nftables in {@code ns} whose commands are awaited at most {@code timeout}.
   *
   * @throws IllegalArgumentException if the timeout is not positive
   */
  static Nftables open(NetNs ns, Duration timeout) {
    return NativeNftables.open(ns, timeout);
  }

  /**
   * Runs a JSON document (<code>{"nftables": [...]}</code>) as one transaction and returns
   * libnftables' JSON output: empty for commands that only change the ruleset, the listing for
   * {@code list} commands (with handles). {@code nft -j -f FILE}.
   *
   * @throws NftablesException if libnftables rejects the document or the kernel a command in it
   *     (then nothing is applied), or no answer came within the timeout ({@link
   *     NftablesException#isOutcomeUnknown()})
   * @throws IllegalArgumentException if {@code json} is not a JSON document
   * @throws IllegalStateException if the handle is closed
   */
  String run(String json);

  /**
   * {@link #run} that returns what was committed, as JSON with each new object's handle, so that a
   * rule added now can be deleted by handle later. {@code nft -j -e -a -f FILE}.
   *
   * @throws NftablesException as {@link #run}
   */
  String runEcho(String json);

  /**
   * Checks a JSON document the way {@link #run} would apply it, kernel included, and commits
   * nothing. {@code nft -j -c -f FILE}.
   *
   * @throws NftablesException if the document would fail
   */
  void check(String json);

  /**
   * Runs {@code commands} (each one JSON object such as <code>{"add": {"element": {...}}}</code>)
   * in one document, hence as one transaction: all or none are applied. Does nothing for an empty
   * list.
   *
   * @throws NftablesException as {@link #run}
   * @throws IllegalArgumentException if a command is not a JSON object's text
   */
  default String batch(List<String> commands) {
    return commands.isEmpty() ? "" : run(NftJson.document(commands));
  }

  /**
   * Adds and deletes elements of existing address sets in one transaction: {@code add}/{@code
   * create}/{@code delete element} in one {@code nft -f} file. The native handle sends them as one
   * raw nf_tables netlink batch (NFT_MSG_NEWSETELEM/DELSETELEM with an ACK each) on its socket,
   * without libnftables: no parsing and no fetch of the ruleset into libnftables' cache, so the
   * cost follows the elements, not the size of the ruleset. The result is what {@link #run} of
   * {@link NftElements#toJson()} gives (this default does exactly that).
   *
   * @throws NftablesException naming the command and, where the kernel points at one, the element
   *     it refused: {@code ENOENT} for a missing table or set or a deleted element that is not
   *     there, {@code EEXIST} for a {@code create} of one that is, {@code EINVAL} for an address of
   *     the other family; then nothing is applied
   */
  default void applyElements(NftElements elements) {
    run(elements.toJson());
  }

  /**
   * Runs chain, rule and element commands ({@link NftCommands}) as one transaction, encoded by
   * calicoj and sent as one raw nf_tables netlink batch on the handle's socket, without libnftables
   * (no parse, no fetch of the ruleset). The native handle supports it; this default throws {@link
   * UnsupportedOperationException}.
   *
   * @throws NftablesException naming the first command the kernel refused, with its errno ({@code
   *     ENOENT}: a missing table, chain, set or element; {@code EBUSY}: a deleted chain still in
   *     use); then nothing is applied
   * @throws IllegalArgumentException if the batch is longer than {@link
   *     NftCommands#MAX_BATCH_BYTES}
   */
  default void apply(NftCommands commands) {
    throw new UnsupportedOperationException(getClass().getName() + " has no raw nf_tables path");
  }

  /** Every table of the namespace, as JSON. {@code nft -j -a list ruleset}. */
  default String listRuleset() {
    return run(NftJson.listRuleset());
  }

  /**
   * One table with its chains, rules and sets, as JSON. {@code nft -j -a list table FAMILY NAME}.
   *
   * @throws NftablesException {@code ENOENT} if there is no such table
   */
  default String listTable(NftTable table) {
    return run(NftJson.list("table", table, null));
  }

  /**
   * One chain with its rules, as JSON. {@code nft -j -a list chain FAMILY TABLE CHAIN}.
   *
   * @throws NftablesException {@code ENOENT} if there is no such table or chain
   * @throws IllegalArgumentException if {@code chain} is not a plain identifier
   */
  default String listChain(NftTable table, String chain) {
    return run(NftJson.list("chain", table, chain));
  }

  /**
   * One set with its elements, as JSON. {@code nft -j -a list set FAMILY TABLE SET}.
   *
   * @throws NftablesException {@code ENOENT} if there is no such table or set
   * @throws IllegalArgumentException if {@code set} is not a plain identifier
   */
  default String listSet(NftTable table, String set) {
    return run(NftJson.list("set", table, set));
  }

  /**
   * Deletes {@code table} and everything in it, if it exists; idempotent. One transaction: {@code
   * add table} then {@code delete table}. Touches no other table.
   *
   * @throws NftablesException if libnftables or the kernel refuses
   */
  default void deleteTableIfExists(NftTable table) {
    run(NftJson.deleteTableIfExists(table));
  }

  /**
   * Replaces {@code table} and everything in it with what {@code commands} make (chains, sets,
   * rules, elements; the table itself is added first), in one transaction: traffic sees either the
   * old table or the new one, never none, and if any command fails the old table stays as it was.
   * {@code add table}, {@code delete table}, {@code add table}, then the commands. Touches no other
   * table.
   *
   * @throws NftablesException as {@link #run}
   * @throws IllegalArgumentException if a command is not a JSON object's text
   */
  default String replaceTable(NftTable table, List<String> commands) {
    return run(NftJson.replaceTable(table, commands));
  }

  /**
   * Frees the libnftables context and ends the handle's thread, after the commands already queued
   * (waiting at most the timeout). Idempotent, thread-safe, never throws.
   */
  @Override
  void close();
}
