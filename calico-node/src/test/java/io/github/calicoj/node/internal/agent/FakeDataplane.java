package io.github.calicoj.node.internal.agent;

import io.github.calicoj.netns.NetnsException;
import io.github.calicoj.netns.OwnedRoute;
import io.github.calicoj.netns.nft.NftablesException;
import io.github.calicoj.node.internal.dataplane.Dataplane;
import io.github.calicoj.node.internal.nft.NftBatch;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A dataplane in memory: records every nftables batch, keeps routes by destination, has the links a
 * test gives it, and can be told to refuse batches or to hold them until released. Thread-safe.
 */
final class FakeDataplane implements Dataplane {
  final List<String> batches = new CopyOnWriteArrayList<>();
  final Map<String, OwnedRoute> routes = new ConcurrentHashMap<>();
  final Map<String, Boolean> links = new ConcurrentHashMap<>();
  final List<String> configured = new CopyOnWriteArrayList<>();
  final AtomicInteger failNext = new AtomicInteger();
  final AtomicInteger applies = new AtomicInteger();
  final AtomicBoolean closed = new AtomicBoolean();
  volatile CountDownLatch gate = new CountDownLatch(0);
  volatile boolean tableDeleted;

  @Override
  public void apply(NftBatch batch) {
    try {
      if (!gate.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("gate never opened");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    applies.incrementAndGet();
    if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw new NftablesException(
          "nft",
          batch.toJson(),
          2,
          "ENOENT",
          "No such file or directory",
          "refused by the test",
          false,
          null);
    }
    if (!batch.isEmpty()) {
      batches.add(batch.toJson());
    }
  }

  /** The batches that replaced the whole table. */
  List<String> replacements() {
    List<String> out = new ArrayList<>();
    for (String b : batches) {
      if (b.contains("{\"delete\":{\"table\"")) {
        out.add(b);
      }
    }
    return out;
  }

  @Override
  public void deleteTable() {
    tableDeleted = true;
  }

  @Override
  public List<OwnedRoute> routes() {
    return List.copyOf(routes.values());
  }

  @Override
  public Map<OwnedRoute, NetnsException> replaceRoutes(Collection<OwnedRoute> rs) {
    rs.forEach(r -> routes.put(r.destination().toString(), r));
    return Map.of();
  }

  @Override
  public Map<OwnedRoute, NetnsException> deleteRoutes(Collection<OwnedRoute> rs) {
    rs.forEach(r -> routes.remove(r.destination().toString()));
    return Map.of();
  }

  @Override
  public Map<String, Boolean> links() {
    return Map.copyOf(links);
  }

  @Override
  public Optional<Boolean> link(String name) {
    return Optional.ofNullable(links.get(name));
  }

  @Override
  public void configureWorkloadLink(
      String name, boolean ipv4, boolean ipv6, List<InetAddress> ipv6Gateways) {
    configured.add(name);
  }

  @Override
  public Map<String, NetnsException> configureWorkloadLinks(List<WorkloadLink> ls) {
    ls.forEach(l -> configured.add(l.name()));
    return Map.of();
  }

  @Override
  public void enableForwarding() {}

  @Override
  public void close() {
    closed.set(true);
  }
}
