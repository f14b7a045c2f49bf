/**
 * {@link io.github.calicoj.datastore.memory.InMemoryDatastore}: the embedded datastore with etcd's
 * semantics (revisions, compare-and-set, transactions, watch), for the quickstart, examples and
 * users' own tests.
 */
@NullMarked
package io.github.calicoj.datastore.memory;

import org.jspecify.annotations.NullMarked;
