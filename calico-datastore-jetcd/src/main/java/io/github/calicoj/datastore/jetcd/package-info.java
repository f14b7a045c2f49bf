/**
 * {@link io.github.calicoj.datastore.jetcd.EtcdDatastore}: the {@link
 * io.github.calicoj.datastore.Datastore} on etcd's v3 gRPC API, through jetcd. This artifact is the
 * only part of calicoj that uses jetcd, gRPC or Netty, and none of their types appears in its
 * public API. It takes the same settings ({@link io.github.calicoj.datastore.etcd.EtcdSettings}) as
 * the gateway client in {@code calico-datastore}, and {@link
 * io.github.calicoj.datastore.etcd.EtcdClientKind#JETCD} finds it by name.
 */
@NullMarked
package io.github.calicoj.datastore.jetcd;

import org.jspecify.annotations.NullMarked;
