/**
 * Calico's block IPAM: /26 (IPv4) and /122 (IPv6) allocation blocks with host affinity, stored as
 * one JSON document per block. Every change is a compare-and-set with bounded retries; a block and
 * its affinity marker are created in one datastore transaction, so two hosts can never claim one
 * block (the reference's libcalico#58).
 */
@NullMarked
package io.github.calicoj.core.ipam;

import org.jspecify.annotations.NullMarked;
