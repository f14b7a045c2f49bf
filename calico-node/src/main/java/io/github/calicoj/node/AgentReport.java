package io.github.calicoj.node;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.node.internal.status.StatusKeys;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * What a host's agent last wrote back under {@code /calico/felix/v1/host/<host>/}, read from the
 * datastore: its status, kept on the agent's lease (so present only while an agent runs), its last
 * reported status (kept), and the status of each of its endpoints. Felix 1.x wrote the same keys,
 * so this reads theirs too. Immutable.
 *
 * @param hostname the host
 * @param status {@code /calico/felix/v1/host/<host>/status}, or null if absent
 * @param lastReported {@code .../last_reported_status}, or null if absent
 * @param endpoints each endpoint status ({@code up}, {@code down}, {@code error}, or the raw value
 *     if it is not the reference's JSON), by the endpoint's datastore key
 */
public record AgentReport(
    String hostname,
    @Nullable Report status,
    @Nullable Report lastReported,
    Map<String, String> endpoints) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One status value: {@code {"time": "2016-02-29T14:54:31Z", "uptime": 123.4, "first_update":
   * true}}.
   *
   * @param time when it was written, UTC to the second, as written
   * @param uptime the agent's uptime then, in seconds
   * @param firstUpdate true only in the agent's first report
   */
  public record Report(String time, double uptime, boolean firstUpdate) {
    /** Rejects a null time. */
    public Report {
      requireNonNull(time, "time");
    }
  }

  /** Copies the endpoints. */
  public AgentReport {
    requireNonNull(hostname, "hostname");
    endpoints = Map.copyOf(endpoints);
  }

  /**
   * Reads {@code hostname}'s status keys with three datastore reads.
   *
   * @throws io.github.calicoj.datastore.DatastoreException if the datastore cannot be read
   */
  public static AgentReport read(Datastore datastore, String hostname) {
    requireNonNull(datastore, "datastore");
    requireNonNull(hostname, "hostname");
    Report status = report(datastore, StatusKeys.hostStatus(hostname));
    Report last = report(datastore, StatusKeys.lastReportedStatus(hostname));
    Map<String, String> endpoints = new TreeMap<>();
    for (KeyValue kv : datastore.list(StatusKeys.endpointStatuses(hostname)).entries()) {
      String value = kv.value();
      try {
        JsonNode n = JSON.readTree(value);
        if (n != null && n.path("status").isTextual()) {
          value = n.path("status").asText();
        }
      } catch (IOException e) {
        // not JSON: shown as it is
      }
      endpoints.put(StatusKeys.endpointOf(kv.key()), value);
    }
    return new AgentReport(hostname, status, last, endpoints);
  }

  /** True if an agent's status key is present: it lives on the agent's lease. */
  public boolean running() {
    return status != null;
  }

  /** The status of the endpoint stored at {@code endpointKey}, if one was written. */
  public Optional<String> endpointStatus(String endpointKey) {
    return Optional.ofNullable(endpoints.get(endpointKey));
  }

  private static @Nullable Report report(Datastore datastore, Key key) {
    Optional<KeyValue> kv = datastore.get(key);
    if (kv.isEmpty()) {
      return null;
    }
    try {
      JsonNode n = JSON.readTree(kv.get().value());
      if (n == null || !n.path("time").isTextual()) {
        return null;
      }
      return new Report(
          n.path("time").asText(), n.path("uptime").asDouble(), n.path("first_update").asBoolean());
    } catch (IOException e) {
      return null;
    }
  }
}
