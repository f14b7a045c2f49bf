package io.github.calicoj.cni;

/** The operations of the CNI spec ({@code CNI_COMMAND}). */
enum CniCommand {
  /** Adds the container to the network and reports the result. */
  ADD,
  /** Removes the container from the network; idempotent. */
  DEL,
  /** Verifies the container's networking against the previous result. */
  CHECK,
  /** Reports the supported spec versions (answered by the launcher, and here too). */
  VERSION
}
