/**
 * Plumbing that calicoj's two etcd clients share: what etcd's errors mean, transactions' replies,
 * key ranges, back-off, the TLS files, validated settings and the lease keeper.
 *
 * <p><b>Not API.</b> These types are public only so that the jetcd client, which lives in another
 * artifact ({@code calico-datastore-jetcd}), can use them. They may change in any release without
 * notice; applications must not use them.
 */
@NullMarked
package io.github.calicoj.datastore.etcd.internal;

import org.jspecify.annotations.NullMarked;
