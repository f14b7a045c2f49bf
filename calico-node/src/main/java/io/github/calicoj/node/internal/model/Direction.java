package io.github.calicoj.node.internal.model;

/** A policy direction, seen from the workload endpoint. */
public enum Direction {
  /** Packets to the endpoint: its profiles' {@code inbound_rules}. */
  INBOUND,
  /** Packets from the endpoint: its profiles' {@code outbound_rules}. */
  OUTBOUND
}
