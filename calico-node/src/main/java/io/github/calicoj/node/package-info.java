/**
 * The calicoj node agent: what Felix and BIRD did on a Calico v1 host, for one nftables table and
 * the host's routes. The agent's runtime (datastore watch, libnftables, netlink) is built on the
 * pure model in {@code io.github.calicoj.node.internal}: a decoded snapshot of the datastore and a
 * function from it to the desired table and routes.
 */
@NullMarked
package io.github.calicoj.node;

import org.jspecify.annotations.NullMarked;
