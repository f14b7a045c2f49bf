/**
 * Test fixtures for calicoj and its users' tests: real etcd members from Debian's binary ({@link
 * io.github.calicoj.testkit.EtcdCluster}, {@link io.github.calicoj.testkit.EtcdExtension}), a
 * throwaway TLS CA, test network namespaces and the {@code ip -j} oracle, and the strict-mode gate
 * ({@link io.github.calicoj.testkit.Requirements}). Test scope only; these helpers start processes.
 */
package io.github.calicoj.testkit;
