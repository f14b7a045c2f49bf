/**
 * {@link io.github.calicoj.datastore.etcd.EtcdDatastore}: the {@link
 * io.github.calicoj.datastore.Datastore} on etcd's v3 API, through jetcd. This is the only package
 * of calicoj that uses jetcd, gRPC or Netty, and none of their types appears in its public API.
 */
@NullMarked
package io.github.calicoj.datastore.etcd;

import org.jspecify.annotations.NullMarked;
