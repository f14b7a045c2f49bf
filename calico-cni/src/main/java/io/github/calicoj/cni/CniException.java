package io.github.calicoj.cni;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jspecify.annotations.Nullable;

/**
 * A failure reported to the runtime as the spec's error object on stdout: {@code code}, a short
 * {@code msg} that names the bad value, and optional {@code details}. Immutable.
 */
final class CniException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final CniCode code;
  private final String msg;
  private final @Nullable String details;

  CniException(CniCode code, String msg, @Nullable String details, @Nullable Throwable cause) {
    super(requireNonNull(msg, "msg"), cause);
    this.code = requireNonNull(code, "code");
    this.msg = msg;
    this.details = details;
  }

  CniException(CniCode code, String msg) {
    this(code, msg, null, null);
  }

  /** The error code. */
  CniCode code() {
    return code;
  }

  /** The short message ({@code msg}). */
  String msg() {
    return msg;
  }

  /** The long message, if there is one. */
  @Nullable String details() {
    return details;
  }

  /** The spec's error object, in {@code cniVersion}'s terms. */
  ObjectNode toJson(String cniVersion) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("cniVersion", cniVersion);
    o.put("code", code.value());
    o.put("msg", msg);
    if (details != null && !details.isEmpty()) {
      o.put("details", details);
    }
    return o;
  }
}
