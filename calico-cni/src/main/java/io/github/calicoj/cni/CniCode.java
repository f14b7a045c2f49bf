package io.github.calicoj.cni;

/**
 * The {@code code} of a CNI error: the spec's well-known codes (0-99) and this plugin's own (100
 * and up), each with what it means to a runtime.
 */
enum CniCode {
  /** The configuration's {@code cniVersion} is not one this plugin speaks. */
  INCOMPATIBLE_VERSION(1),
  /** A configuration field has a value this plugin does not support; the message names both. */
  UNSUPPORTED_FIELD(2),
  /** The container (its network namespace) does not exist: no clean-up is needed. */
  UNKNOWN_CONTAINER(3),
  /** A {@code CNI_*} environment variable is missing or invalid; the message names it. */
  INVALID_ENVIRONMENT(4),
  /** Reading the configuration or writing the result failed. */
  IO_FAILURE(5),
  /** The configuration (or its {@code prevResult}) is not valid JSON of the expected shape. */
  DECODE_FAILURE(6),
  /** The configuration is well-formed but a value is invalid; the message names it. */
  INVALID_CONFIG(7),
  /** A transient failure (the datastore did not answer): the same call may succeed later. */
  TRY_AGAIN_LATER(11),

  /** An unexpected failure inside the plugin; the details carry the exception. */
  INTERNAL(100),
  /** The requested IP is taken, or lies in no configured pool. */
  ADDRESS_UNAVAILABLE(101),
  /** No address is free in the pools this network may use. */
  POOL_EXHAUSTED(102),
  /** The container already has a Calico endpoint on this host (a second ADD, or two networks). */
  ALREADY_CONFIGURED(103),
  /** CHECK found the container's networking different from the previous result. */
  CHECK_FAILED(104),
  /** The kernel refused a dataplane step (veth, address, route). */
  DATAPLANE_FAILED(105),
  /** The datastore refused a request (permission, authentication, conflicts that did not end). */
  DATASTORE_FAILED(106);

  private final int value;

  CniCode(int value) {
    this.value = value;
  }

  /** The number written as {@code code}. */
  int value() {
    return value;
  }
}
