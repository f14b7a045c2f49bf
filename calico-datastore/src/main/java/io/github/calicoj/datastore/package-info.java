/**
 * A model-agnostic, revisioned key-value store: the datastore SPI that the rest of calicoj builds
 * on.
 *
 * <p>{@link io.github.calicoj.datastore.Datastore} is the entry point. Keys are {@link
 * io.github.calicoj.datastore.Key} path strings and values are UTF-8 strings; every change gets a
 * store-wide, strictly increasing {@link io.github.calicoj.datastore.Revision}. Calico's key layout
 * lives in {@code calico-core}, not here. Implementations: {@code EtcdGatewayDatastore} (etcd v3
 * through its JSON gateway, in {@code .etcd}), {@code EtcdDatastore} (etcd v3 through jetcd, in the
 * artifact {@code calico-datastore-jetcd}) and {@code InMemoryDatastore} (embedded, for examples
 * and users' tests, in {@code .memory}).
 *
 * <p>Errors are unchecked subclasses of {@link io.github.calicoj.datastore.DatastoreException};
 * caller mistakes throw {@link IllegalArgumentException}, {@link NullPointerException} or {@link
 * IllegalStateException}.
 */
@NullMarked
package io.github.calicoj.datastore;

import org.jspecify.annotations.NullMarked;
