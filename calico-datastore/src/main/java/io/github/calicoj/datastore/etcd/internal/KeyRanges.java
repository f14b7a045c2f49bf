package io.github.calicoj.datastore.etcd.internal;

import io.github.calicoj.datastore.Key;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** etcd's key ranges for our prefixes. */
public final class KeyRanges {
  private KeyRanges() {}

  /** The smallest key greater than every key with this prefix (etcd's range end for a prefix). */
  public static byte[] prefixEnd(Key prefix) {
    byte[] end = prefix.path().getBytes(StandardCharsets.UTF_8);
    for (int i = end.length - 1; i >= 0; i--) {
      if (end[i] != (byte) 0xff) {
        end[i]++;
        return Arrays.copyOf(end, i + 1);
      }
    }
    return new byte[] {0}; // "\0" means "to the end of the keyspace" in etcd
  }
}
