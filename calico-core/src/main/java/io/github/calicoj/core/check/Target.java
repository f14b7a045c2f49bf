package io.github.calicoj.core.check;

import io.github.calicoj.core.ipam.AllocationBlock.Attribute;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.datastore.KeyValue;
import java.net.InetAddress;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a finding's repair acts on, as read by the check that found it: the entries with their
 * revisions, which the repair's transaction is guarded on. Immutable.
 */
sealed interface Target {

  /** Endpoints to remove; with {@code wholeWorkload} their marker too. */
  record Endpoints(List<WorkloadEndpoint> endpoints, boolean wholeWorkload) implements Target {
    public Endpoints {
      endpoints = List.copyOf(endpoints);
    }
  }

  /**
   * A live workload's endpoints whose cali link is missing: its interface is re-plumbed ({@code
   * workload} as {@code CalicoClient.restoreContainer} takes it: a container's id or the namespace
   * path it was added by); without a restorer, {@code removal} is carried out instead.
   */
  record Restore(String workload, Endpoints removal) implements Target {}

  /** An address on several endpoints, with its allocation's holder if it is allocated. */
  record Duplicate(InetAddress ip, List<WorkloadEndpoint> endpoints, @Nullable Attribute holder)
      implements Target {
    public Duplicate {
      endpoints = List.copyOf(endpoints);
    }
  }

  /** An endpoint's address and its allocation's holder (null if the address is free). */
  record EndpointIp(WorkloadEndpoint endpoint, InetAddress ip, @Nullable Attribute holder)
      implements Target {}

  /** One allocation: its block as read, its address and its attribute. */
  record Allocation(KeyValue block, InetAddress ip, Attribute attribute) implements Target {}

  /** A workload marker as read. */
  record Marker(KeyValue marker) implements Target {}

  /** A host-side link by name and interface index. */
  record Link(String name, int index) implements Target {}

  /** An empty block as read, and its host's affinity marker if there is one. */
  record Block(KeyValue block, @Nullable KeyValue affinity) implements Target {}

  /** A handle, rewritten from the blocks as they are when it is repaired. */
  record Handle(String handleId) implements Target {}
}
