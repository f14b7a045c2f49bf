package io.github.calicoj.core.repository;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.internal.PyJson;
import io.github.calicoj.datastore.Key;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * calicoj's own record of a workload, outside Calico's tree at {@code
 * /calicoj/v1/workload/<host>/<orchestrator>/<workload>}: written in the same transaction as the
 * workload's first endpoint and deleted in the same transaction as its last, so "create the
 * endpoint unless the workload has one" is one atomic step. It also records which network namespace
 * the workload was added for (path, device and inode), because the reference's workload id escapes
 * {@code /} to {@code -} and two paths can share one id. Immutable.
 *
 * <p>Value: {@code {"endpoint": ID, "time": MILLIS, "netns": {"path": P, "dev": D, "ino": I},
 * "handle": H, "interface": IF}} ({@code netns}, {@code handle} and {@code interface} optional). A
 * value {@code "<endpoint id> <millis>"} from older writers is read too.
 *
 * @param endpointId the endpoint written with it
 * @param writtenAtMillis when it was written (the writer's clock)
 * @param namespace the namespace the workload was added for, if known
 * @param handleId the IPAM handle that owns the workload's addresses, if known
 * @param interfaceName the workload's interface (the veth's end inside it), if known
 */
public record WorkloadMarker(
    String endpointId,
    long writtenAtMillis,
    @Nullable NamespaceRef namespace,
    @Nullable String handleId,
    @Nullable String interfaceName) {

  /**
   * A network namespace: the path it was given by and its identity.
   *
   * @param path the path the workload was named by
   * @param device the namespace file's device ({@code st_dev})
   * @param inode the namespace's inode ({@code st_ino})
   */
  public record NamespaceRef(String path, long device, long inode) {
    /** Rejects null. */
    public NamespaceRef {
      requireNonNull(path, "path");
    }

    /** True if both name the same namespace (device and inode; the paths may differ). */
    public boolean sameNamespaceAs(NamespaceRef other) {
      return device == other.device && inode == other.inode;
    }
  }

  /** A marker without a handle. */
  public WorkloadMarker(String endpointId, long writtenAtMillis, @Nullable NamespaceRef namespace) {
    this(endpointId, writtenAtMillis, namespace, null, null);
  }

  /** This marker for the same endpoint in another namespace, written now. */
  public WorkloadMarker movedTo(NamespaceRef to) {
    return new WorkloadMarker(endpointId, System.currentTimeMillis(), to, handleId, interfaceName);
  }

  /** Rejects a bad endpoint id. */
  public WorkloadMarker {
    requireNonNull(endpointId, "endpointId");
    checkArgument(
        !endpointId.isEmpty() && endpointId.indexOf(' ') < 0, "Bad endpoint id: %s", endpointId);
  }

  /** The marker's key. */
  public static Key key(String hostname, String orchestratorId, String workloadId) {
    return CalicoKeys.workloadMarker(hostname, orchestratorId, workloadId);
  }

  /** The stored value. */
  public String toJson() {
    ObjectNode o = PyJson.NODES.objectNode();
    o.put("endpoint", endpointId);
    o.put("time", writtenAtMillis);
    if (namespace != null) {
      ObjectNode ns = o.putObject("netns");
      ns.put("path", namespace.path());
      ns.put("dev", namespace.device());
      ns.put("ino", namespace.inode());
    }
    if (handleId != null) {
      o.put("handle", handleId);
    }
    if (interfaceName != null) {
      o.put("interface", interfaceName);
    }
    return PyJson.write(o);
  }

  /** Reads a stored value; empty if it is neither this format nor the older one. */
  public static Optional<WorkloadMarker> parse(String value) {
    String v = value.trim();
    if (v.startsWith("{")) {
      try {
        JsonNode o = PyJson.parse(v, "workload marker");
        String id = PyJson.nullableText(o, "endpoint");
        if (id == null || id.isEmpty() || id.indexOf(' ') >= 0) {
          return Optional.empty();
        }
        JsonNode ns = o.get("netns");
        NamespaceRef ref =
            ns != null && ns.isObject() && ns.hasNonNull("path")
                ? new NamespaceRef(
                    ns.get("path").asText(), ns.path("dev").asLong(), ns.path("ino").asLong())
                : null;
        return Optional.of(
            new WorkloadMarker(
                id,
                o.path("time").asLong(0),
                ref,
                PyJson.nullableText(o, "handle"),
                PyJson.nullableText(o, "interface")));
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    }
    String[] parts = v.split(" ", -1);
    if (parts.length == 2 && !parts[0].isEmpty() && parts[1].matches("[0-9]{1,18}")) {
      return Optional.of(new WorkloadMarker(parts[0], Long.parseLong(parts[1]), null));
    }
    return Optional.empty();
  }
}
