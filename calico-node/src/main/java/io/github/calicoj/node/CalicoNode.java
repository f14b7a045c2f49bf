package io.github.calicoj.node;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.github.calicoj.core.check.CheckOptions;
import io.github.calicoj.core.check.CheckReport;
import io.github.calicoj.core.client.CalicoClient;
import io.github.calicoj.core.model.Names;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.node.internal.agent.NodeAgent;
import io.github.calicoj.node.internal.lifecycle.LifecycleOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The node agent of one host: what Felix (policy) and BIRD (routes) did on a Calico v1 host. It
 * reads Calico's keys from a {@link Datastore} (list, then watch), enforces the profiles of this
 * host's workload endpoints in one nftables table it owns ({@code inet calico}), lays host-gw
 * routes to the other hosts' workloads, and writes its status and each local endpoint's status
 * back, on a lease.
 *
 * <pre>{@code
 * try (Datastore store = EtcdDatastore.builder().endpoints("http://127.0.0.1:2379").build();
 *     CalicoNode node = CalicoNode.builder(store, "calico-01").build()) {
 *   node.start();
 *   node.awaitInSync(Duration.ofSeconds(10));
 *   ... // runs until closed
 * }
 * }</pre>
 *
 * <p><b>What it reads:</b> {@code /calico/v1/} (config, endpoints of every host, profiles, pools,
 * {@code bird_ip}), {@code /calico/ipam/v2/host/} (block affinities) and {@code
 * /calico/bgp/v1/host/} (host addresses), all through one watch over the prefix {@code /calico}
 * from the revision of one listing, so every change reaches it in the store's order. A compacted
 * revision or a watch that ends means a full resync, never a gap; a burst of changes is applied as
 * one batch.
 *
 * <p><b>What it changes</b> (in the host namespace): the table {@code inet calico}, never another
 * table; changes go in as diffs, and a resync replaces the whole table in one kernel transaction
 * (packets see the old table or the new one, never none). Main-table routes tagged with its route
 * protocol ({@link Builder#routeProtocol}), never another route. {@code net.ipv4.ip_forward} (and
 * IPv6 forwarding), and the host side of each local workload link (proxy ARP, forwarding) if the
 * client that added it did not. A failure to apply anything means a full resync, retried with
 * backoff. Data that Felix would reject never stops the agent: it is logged once, rendered as Felix
 * did (usually a drop where it stands), and the endpoints it affects report {@code error}.
 *
 * <p><b>What it writes:</b> {@code /calico/felix/v1/host/<host>/status} (and {@code
 * last_reported_status}) every reporting interval, each local endpoint's {@code
 * /calico/felix/v1/host/<host>/workload/.../endpoint/<id>} ({@code up}, {@code down} or {@code
 * error}) when it changes, and the sync marker {@code /calicoj/v1/node/<host>/sync} that {@link
 * #awaitInSync} writes. All but {@code last_reported_status} are attached to one lease, so they
 * vanish when the agent dies.
 *
 * <p><b>What it cleans up:</b> state that outlived its workload. With a Docker daemon (its socket
 * present, or {@link Builder#followDocker} on) it follows the daemon's container events: a
 * destroyed container's endpoint, IPs and veth are removed, a restarted one is re-plumbed ({@link
 * io.github.calicoj.core.lifecycle.DockerFollower}). Every {@link Builder#sweepInterval} (10
 * minutes by default) it runs the {@code ipam check} of this host in repair mode, which leaves
 * alone anything younger than {@link Builder#sweepGrace} (15 minutes by default).
 *
 * <p><b>Threads and ownership:</b> thread-safe. {@link #start()} starts the agent's threads (the
 * apply loop, the status writer, the Docker follower and the sweep, the last two if they run) and
 * the nftables handle's thread; {@link #close()} stops and joins all of them. The agent borrows the
 * datastore (close it after the agent) and a {@link Builder#calicoClient} if one is given, and owns
 * its nftables handle, netlink socket, lease, and the client it builds for the follower and the
 * sweep otherwise. Needs root (CAP_NET_ADMIN, and CAP_SYS_ADMIN for another host namespace) and
 * libnftables ({@code apt-get install libnftables1}).
 */
public interface CalicoNode extends AutoCloseable {

  /** The route protocol number the agent tags its routes with by default. */
  int DEFAULT_ROUTE_PROTOCOL = 202;

  /**
   * How often the agent sweeps its host for leaks by default (10 minutes): {@link
   * Builder#sweepInterval}.
   */
  Duration DEFAULT_SWEEP_INTERVAL = Duration.ofMinutes(10);

  /**
   * A builder for the agent of {@code hostname} (Felix's {@code FelixHostname}: the host part of
   * the endpoint keys it programs), reading from and writing to {@code datastore}.
   *
   * @throws IllegalArgumentException if the hostname is empty or contains {@code /}
   */
  static Builder builder(Datastore datastore, String hostname) {
    return new Builder(datastore, hostname);
  }

  /** The host this agent programs. */
  String hostname();

  /**
   * Starts the agent and returns at once: it lists the datastore, programs the dataplane and then
   * follows every change, on its own threads. Use {@link #awaitInSync} to wait for the first sync.
   *
   * @throws IllegalStateException if it was started before or is closed
   * @throws UnsupportedOperationException if libnftables or netlink is unavailable here
   * @throws IllegalArgumentException if {@link Builder#followDocker} is on and the Docker daemon's
   *     address is not a unix socket
   * @throws io.github.calicoj.netns.NetnsException if the host namespace cannot be entered
   */
  void start();

  /**
   * Waits until the dataplane matches every change committed to the datastore before this call:
   * writes the sync marker {@code /calicoj/v1/node/<host>/sync} (on the agent's lease) and waits
   * until the agent has applied everything up to and including that write, with no apply failure
   * pending. Returns false if that did not happen within {@code timeout} (the datastore is
   * unreachable, or applying keeps failing; {@link #status()} says why).
   *
   * @throws IllegalStateException if the agent was not started or is closed
   * @throws IllegalArgumentException if the timeout is negative
   */
  boolean awaitInSync(Duration timeout);

  /** What the agent is doing now; a snapshot, cheap to take. */
  NodeStatus status();

  /**
   * Stops the agent: ends the Docker follower and the sweep (waiting for a sweep under way), its
   * watch and threads, revokes its lease (which deletes its status keys) and, if {@link
   * Builder#removeOnClose} was set, deletes its table and its routes. Otherwise the rules and
   * routes stay in force. Waits at most the builder's timeout for each part. Idempotent,
   * thread-safe, never throws.
   */
  @Override
  void close();

  /**
   * The {@code FELIX_<PARAM>} variables of an environment as Felix configuration overrides, by
   * parameter name as Felix spells it in etcd: {@code FELIX_DEFAULTENDPOINTTOHOSTACTION=ACCEPT}
   * becomes {@code DefaultEndpointToHostAction=ACCEPT} (Felix matched environment names ignoring
   * case). Variables that name no parameter the agent knows are kept under their upper-case name,
   * which Felix also ignored.
   */
  static Map<String, String> felixEnvironment(Map<String, String> environment) {
    Map<String, String> known = new TreeMap<>();
    for (String p : NodeAgent.KNOWN_PARAMETERS) {
      known.put(p.toUpperCase(Locale.ROOT), p);
    }
    Map<String, String> out = new TreeMap<>();
    environment.forEach(
        (k, v) -> {
          if (k.startsWith("FELIX_") && k.length() > 6) {
            String name = k.substring(6).toUpperCase(Locale.ROOT);
            out.put(known.getOrDefault(name, name), v);
          }
        });
    return out;
  }

  /** Configures a {@link CalicoNode}. Not thread-safe. */
  final class Builder {
    final Datastore datastore;
    final String hostname;
    @Nullable Path hostNamespace;
    @Nullable Duration statusInterval;
    @Nullable Duration statusTtl;
    boolean removeOnClose;
    LifecycleOptions.DockerMode docker = LifecycleOptions.DockerMode.AUTO;
    @Nullable String dockerHost;
    Duration sweepInterval = DEFAULT_SWEEP_INTERVAL;
    Duration sweepGrace = CheckOptions.DEFAULT_GRACE;
    @Nullable CalicoClient calicoClient;
    Consumer<CheckReport> onSweep = report -> {};
    Map<String, String> felixConfig = Map.of();
    int routeProtocol = DEFAULT_ROUTE_PROTOCOL;
    Duration timeout = Duration.ofSeconds(30);
    Duration reconcileInterval = Duration.ofSeconds(10);
    Duration minBackoff = Duration.ofMillis(100);
    Duration maxBackoff = Duration.ofSeconds(10);

    Builder(Datastore datastore, String hostname) {
      this.datastore = requireNonNull(datastore, "datastore");
      this.hostname = Names.checkHostname(hostname);
    }

    /**
     * The network namespace of the host to program (its nftables, routes and sysctls). Default: the
     * namespace of the thread that calls {@link CalicoNode#start()}. Tests and simulations pass one
     * they made, so several "hosts" share one machine.
     */
    public Builder hostNamespace(Path path) {
      this.hostNamespace = requireNonNull(path, "path");
      return this;
    }

    /**
     * How often the host's status is written ({@code ReportingIntervalSecs}, whose value from the
     * datastore is used if this is not set; 30 s by default). Zero turns the host status off.
     */
    public Builder statusInterval(Duration interval) {
      requireNonNull(interval, "interval");
      checkArgument(!interval.isNegative(), "statusInterval must not be negative: %s", interval);
      this.statusInterval = interval;
      return this;
    }

    /**
     * The time to live of the agent's lease, which holds its status keys: how long they outlive an
     * agent that died. 90 s by default (Felix's default {@code ReportingTTLSecs}; the lease is
     * granted before the datastore's configuration is read, so a {@code ReportingTTLSecs} there is
     * not used). At least a second.
     */
    public Builder statusTtl(Duration ttl) {
      requireNonNull(ttl, "ttl");
      checkArgument(ttl.compareTo(Duration.ofSeconds(1)) >= 0, "statusTtl below 1 s: %s", ttl);
      this.statusTtl = ttl;
      return this;
    }

    /**
     * Whether {@link CalicoNode#close()} deletes the agent's table and routes. Off by default: the
     * rules stay in force while the agent is down, as Felix's iptables rules did.
     */
    public Builder removeOnClose(boolean remove) {
      this.removeOnClose = remove;
      return this;
    }

    /**
     * Whether the agent follows the Docker daemon's container events: a container destroyed (as by
     * {@code docker rm -f}) while it has an endpoint on this host loses its endpoint and IPs (one
     * transaction) and its veth; one that starts again (as after {@code docker restart}) is
     * re-plumbed in its new namespace with the same interface and IPs, and its endpoint's MAC
     * updated. At its start and after each reconnection the follower lists the containers and
     * reconciles, since Docker does not replay missed events. By default it runs if the daemon's
     * unix socket ({@link #dockerHost}) exists when the agent starts; {@code false} turns it off,
     * {@code true} runs it whatever (retrying every second until the daemon answers).
     */
    public Builder followDocker(boolean follow) {
      this.docker = follow ? LifecycleOptions.DockerMode.ON : LifecycleOptions.DockerMode.OFF;
      return this;
    }

    /**
     * The Docker daemon to follow and to ask about containers: {@code unix:///var/run/docker.sock}
     * or a socket path. Default: {@code DOCKER_HOST} if set, else {@code
     * unix:///var/run/docker.sock}. Only unix sockets are spoken: with another scheme the follower
     * is off by default, and {@code followDocker(true)} makes {@link CalicoNode#start()} throw
     * {@link IllegalArgumentException}.
     */
    public Builder dockerHost(String dockerHost) {
      this.dockerHost = requireNonNull(dockerHost, "dockerHost");
      return this;
    }

    /**
     * How often the agent sweeps this host for leaks: core's {@code ipam check} in repair mode
     * ({@link io.github.calicoj.core.client.CalicoClient#checkIpam}, this host, with its kernel
     * links, Docker containers and namespaces), which never touches anything younger than {@link
     * #sweepGrace}. The first sweep runs one interval after the start, each next one an interval
     * after the previous one ended. Each sweep is logged in one line; a failed one is logged and
     * the next one runs as planned. 10 minutes by default; zero turns the sweep off.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder sweepInterval(Duration interval) {
      requireNonNull(interval, "interval");
      checkArgument(!interval.isNegative(), "sweepInterval must not be negative: %s", interval);
      this.sweepInterval = interval;
      return this;
    }

    /**
     * The sweep's grace period: what is younger is reported, not repaired (a workload being added
     * or removed looks like a leak for a moment). 15 minutes by default, as {@code ipam check}'s.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder sweepGrace(Duration grace) {
      requireNonNull(grace, "grace");
      checkArgument(!grace.isNegative(), "sweepGrace must not be negative: %s", grace);
      this.sweepGrace = grace;
      return this;
    }

    /**
     * Told of each sweep's report, on the sweep's thread, after its log line; must be quick. A
     * listener that throws is logged like a failed sweep.
     */
    public Builder onSweep(Consumer<CheckReport> listener) {
      this.onSweep = requireNonNull(listener, "listener");
      return this;
    }

    /**
     * The client through which the Docker follower and the sweep act, borrowed: the agent does not
     * close it. It must be a client of this host ({@link CalicoClient#hostname()}) with the host
     * namespace given to {@link #hostNamespace}. Default: the agent builds one from its datastore,
     * hostname, host namespace and {@link #dockerHost} (with {@link CalicoClient.Builder}'s other
     * defaults, so data era A) when the follower or the sweep runs, and closes it when it closes.
     *
     * @throws IllegalArgumentException if the client is of another host
     */
    public Builder calicoClient(CalicoClient client) {
      requireNonNull(client, "client");
      checkArgument(
          client.hostname().equals(hostname),
          "The client is of host %s, the agent of %s",
          client.hostname(),
          hostname);
      this.calicoClient = client;
      return this;
    }

    /**
     * Felix configuration that takes precedence over the datastore's ({@code FELIX_<PARAM>}
     * environment variables in Felix; see {@link CalicoNode#felixEnvironment}), by parameter name,
     * e.g. {@code DefaultEndpointToHostAction} = {@code RETURN}.
     */
    public Builder felixConfig(Map<String, String> overrides) {
      this.felixConfig = Map.copyOf(overrides);
      return this;
    }

    /**
     * The protocol number of the agent's routes ({@code ip route ... proto N}), by which it finds
     * and reconciles them; {@value CalicoNode#DEFAULT_ROUTE_PROTOCOL} by default. Routes of any
     * other protocol are never touched (a route to the same destination is overwritten, as the
     * kernel keys routes by destination).
     *
     * @throws IllegalArgumentException unless 5..255
     */
    public Builder routeProtocol(int protocol) {
      checkArgument(protocol >= 5 && protocol <= 255, "routeProtocol %s not in 5..255", protocol);
      this.routeProtocol = protocol;
      return this;
    }

    /**
     * The bound on every blocking call the agent makes to the kernel (nftables, netlink) and on
     * each step of {@link CalicoNode#close()}. 30 s by default.
     */
    public Builder timeout(Duration timeout) {
      requireNonNull(timeout, "timeout");
      checkArgument(!timeout.isNegative() && !timeout.isZero(), "timeout must be positive");
      this.timeout = timeout;
      return this;
    }

    /**
     * How often the agent compares the kernel with what it wants even without a change: its routes
     * (re-creating a workload's route that someone deleted) and the state of the workload
     * interfaces (for the endpoint statuses, and to program an interface that appeared). 10 s by
     * default.
     */
    public Builder reconcileInterval(Duration interval) {
      requireNonNull(interval, "interval");
      checkArgument(!interval.isNegative() && !interval.isZero(), "interval must be positive");
      this.reconcileInterval = interval;
      return this;
    }

    /**
     * The first and the longest wait before a resync after a failure (listing the datastore,
     * applying to the kernel); doubled after each failure in a row. 100 ms and 10 s by default.
     */
    public Builder retryBackoff(Duration first, Duration max) {
      requireNonNull(first, "first");
      requireNonNull(max, "max");
      checkArgument(!first.isNegative() && !first.isZero(), "first backoff must be positive");
      checkArgument(max.compareTo(first) >= 0, "max backoff %s below the first %s", max, first);
      this.minBackoff = first;
      this.maxBackoff = max;
      return this;
    }

    /** Builds the agent; nothing starts until {@link CalicoNode#start()}. */
    public CalicoNode build() {
      return new NodeAgent(
          new NodeAgent.Settings(
              datastore,
              hostname,
              hostNamespace,
              statusInterval,
              statusTtl,
              removeOnClose,
              new LifecycleOptions(
                  docker, dockerHost, sweepInterval, sweepGrace, calicoClient, onSweep),
              felixConfig,
              routeProtocol,
              timeout,
              reconcileInterval,
              minBackoff,
              maxBackoff));
    }
  }
}
