/**
 * calicoj's etcd v3 clients: {@link io.github.calicoj.datastore.etcd.EtcdGatewayDatastore}, on
 * etcd's JSON gateway and the JDK's sockets alone, and the settings every etcd client takes ({@link
 * io.github.calicoj.datastore.etcd.EtcdSettings}), with {@link
 * io.github.calicoj.datastore.etcd.EtcdClientKind} to choose a client by name. The jetcd (gRPC)
 * client, {@code io.github.calicoj.datastore.jetcd.EtcdDatastore}, is in the artifact {@code
 * calico-datastore-jetcd}: nothing here uses jetcd, gRPC or Netty.
 */
@NullMarked
package io.github.calicoj.datastore.etcd;

import org.jspecify.annotations.NullMarked;
