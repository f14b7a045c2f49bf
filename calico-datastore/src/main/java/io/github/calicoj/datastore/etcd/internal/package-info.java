/**
 * Plumbing that calicoj's two etcd clients share: what etcd's errors mean, transactions' replies,
 * key ranges, back-off, the TLS files, validated settings and the lease keeper.
 *
 * <p><b>Not API.</b> These types are public only so that the jetcd client, which lives in another
 * artifact ({@code calico-datastore-jetcd}), can use them. They may change in any release without
 * notice; applications must not use them.
 *
 * <p><b>Not exported:</b> the javadoc leaves this package out, the API check (japicmp) does not
 * compare it, and a module descriptor would export it to {@code io.github.calicoj.datastore.jetcd}
 * only.
 */
@NullMarked
package io.github.calicoj.datastore.etcd.internal;

import org.jspecify.annotations.NullMarked;
