package io.github.calicoj.datastore.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.calicoj.datastore.DatastoreException;
import io.github.calicoj.datastore.Guard;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Revision;
import io.github.calicoj.datastore.etcd.internal.EtcdFailures;
import io.github.calicoj.datastore.etcd.internal.KeyRanges;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The JSON shapes of etcd's gateway (grpc-gateway's mapping of etcd's protobuf messages): keys and
 * values in base64, 64-bit numbers as strings, field names in snake case. Requests are built and
 * replies read here, with no I/O; {@link GatewayTransport} sends them.
 */
final class GatewayJson {
  /** The one mapper; thread-safe once configured. */
  static final ObjectMapper JSON = new ObjectMapper();

  private GatewayJson() {}

  /** A new, empty JSON object. */
  static ObjectNode object() {
    return JSON.createObjectNode();
  }

  /** A compare of a transaction: the guard's condition on its key. */
  static ObjectNode compare(Guard guard) {
    ObjectNode c = object().put("key", b64(guard.key())).put("result", "EQUAL");
    if (guard instanceof Guard.AtRevision at) {
      c.put("target", "MOD").put("mod_revision", Long.toString(at.revision().value()));
    } else {
      c.put("target", "VERSION").put("version", "0");
    }
    return c;
  }

  /**
   * A transaction's put of {@code value} at {@code key}, attached to lease {@code lease} if not 0.
   */
  static ObjectNode putOp(Key key, String value, long lease) {
    ObjectNode op = object();
    ObjectNode put = op.putObject("request_put").put("key", b64(key)).put("value", b64(value));
    if (lease != 0) {
      put.put("lease", Long.toString(lease));
    }
    return op;
  }

  /** A transaction's delete of one key. */
  static ObjectNode deleteOp(Key key) {
    ObjectNode op = object();
    op.putObject("request_delete_range").put("key", b64(key));
    return op;
  }

  /** A transaction's read of one key. */
  static ObjectNode getOp(Key key) {
    return object().set("request_range", range(key));
  }

  /** A range request for one key. */
  static ObjectNode range(Key key) {
    return object().put("key", b64(key));
  }

  /** A range (or delete range) request for every key under {@code prefix}. */
  static ObjectNode under(Key prefix) {
    return range(prefix).put("range_end", rangeEnd(prefix));
  }

  /** A range request for every key under {@code prefix}, in key order. */
  static ObjectNode prefixRange(Key prefix) {
    return under(prefix).put("sort_order", "ASCEND").put("sort_target", "KEY");
  }

  /** The body of {@code /v3/watch} that creates a watch of {@code prefix} from {@code start}. */
  static ObjectNode watchRequest(Key prefix, long start) {
    ObjectNode req = object();
    req.putObject("create_request")
        .put("key", b64(prefix))
        .put("range_end", rangeEnd(prefix))
        .put("start_revision", Long.toString(start));
    return req;
  }

  /** The first entry any range response of a transaction's reply holds. */
  static Optional<KeyValue> firstRange(JsonNode txnReply) {
    for (JsonNode resp : txnReply.path("responses")) {
      List<KeyValue> got = kvs(resp.path("response_range"));
      if (!got.isEmpty()) {
        return Optional.of(got.get(0));
      }
    }
    return Optional.empty();
  }

  /** The entries of a range reply. */
  static List<KeyValue> kvs(JsonNode rangeReply) {
    List<KeyValue> out = new ArrayList<>();
    for (JsonNode kv : rangeReply.path("kvs")) {
      out.add(keyValue(kv));
    }
    return out;
  }

  /** One entry ({@code mvccpb.KeyValue}). */
  static KeyValue keyValue(JsonNode kv) {
    Key key =
        Key.of(
            new String(
                Base64.getDecoder().decode(kv.path("key").asText()), StandardCharsets.UTF_8));
    String value =
        new String(Base64.getDecoder().decode(kv.path("value").asText("")), StandardCharsets.UTF_8);
    return new KeyValue(key, value, Revision.of(kv.path("mod_revision").asLong()));
  }

  /** The store revision a reply's header carries. */
  static long headerRevision(JsonNode reply) {
    return reply.path("header").path("revision").asLong(0);
  }

  /** A key's UTF-8 bytes, as etcd stores it. */
  static byte[] bytes(Key key) {
    return key.path().getBytes(StandardCharsets.UTF_8);
  }

  static String b64(Key key) {
    return b64(bytes(key));
  }

  static String b64(String text) {
    return b64(text.getBytes(StandardCharsets.UTF_8));
  }

  static String b64(byte[] raw) {
    return Base64.getEncoder().encodeToString(raw);
  }

  /** etcd's range end for a prefix, base64 as the gateway wants it. */
  static String rangeEnd(Key prefix) {
    return b64(KeyRanges.prefixEnd(prefix));
  }

  /** A request's body. */
  static byte[] encode(JsonNode request) {
    try {
      return JSON.writeValueAsBytes(request);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot encode an etcd request", e);
    }
  }

  /** A reply's body, which must be JSON. */
  static JsonNode parse(byte[] body, String operation, @Nullable Key key) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new DatastoreException(
          EtcdFailures.subject(operation, key)
              + ": etcd sent a reply that is not JSON: "
              + new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8),
          key,
          e);
    }
  }

  /**
   * The gateway's error reply {@code {"error", "code", "message"}} as the same exception the jetcd
   * client throws for that gRPC code.
   */
  static DatastoreException error(
      JsonNode reply, String operation, @Nullable Key key, boolean write, String where) {
    return EtcdFailures.toException(
        reply.path("code").asInt(2), message(reply), operation, key, write, where, null);
  }

  /** The text of an error reply. */
  static String message(JsonNode reply) {
    return reply.path("message").asText(reply.path("error").asText(""));
  }
}
