/**
 * The Calico v1 domain model as immutable, validated values: workload endpoints, profiles and their
 * rules, IP pools, host configuration and IPAM configuration. Constructors reject bad values with
 * messages that name them. No I/O.
 */
@NullMarked
package io.github.calicoj.core.model;

import org.jspecify.annotations.NullMarked;
