package io.github.calicoj.datastore.jetcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.github.calicoj.datastore.Guard;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Revision;
import io.github.calicoj.datastore.TxnOp;
import io.github.calicoj.datastore.etcd.internal.KeyRanges;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Our keys, values and ranges as jetcd's types, and back. No I/O. */
final class JetcdCodec {
  private JetcdCodec() {}

  /** A key's UTF-8 bytes, as etcd stores it. */
  static ByteSequence bytes(Key key) {
    return bytes(key.path());
  }

  /** A string's UTF-8 bytes. */
  static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }

  /** The key of one of jetcd's entries. */
  static Key toKey(io.etcd.jetcd.KeyValue kv) {
    return Key.of(kv.getKey().toString(StandardCharsets.UTF_8));
  }

  /** One of jetcd's entries as ours, with its {@code mod_revision}. */
  static KeyValue toKeyValue(io.etcd.jetcd.KeyValue kv) {
    return new KeyValue(
        toKey(kv),
        kv.getValue().toString(StandardCharsets.UTF_8),
        Revision.of(kv.getModRevision()));
  }

  /** The smallest key greater than every key with this prefix (etcd's range end for a prefix). */
  static ByteSequence prefixEnd(Key prefix) {
    return ByteSequence.from(KeyRanges.prefixEnd(prefix));
  }

  /** A read of every key under {@code prefix}, in key order. */
  static GetOption.Builder keyOrdered(Key prefix) {
    return GetOption.builder()
        .withRange(prefixEnd(prefix))
        .withSortField(GetOption.SortTarget.KEY)
        .withSortOrder(GetOption.SortOrder.ASCEND);
  }

  /** A transaction's compare for one guard. */
  static Cmp compare(Guard guard) {
    ByteSequence k = bytes(guard.key());
    if (guard instanceof Guard.AtRevision at) {
      return new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(at.revision().value()));
    }
    return new Cmp(k, Cmp.Op.EQUAL, CmpTarget.version(0));
  }

  /** A transaction's write, a put attached to lease {@code lease} unless that is 0. */
  static Op write(TxnOp op, long lease) {
    if (op instanceof TxnOp.Put put) {
      PutOption option =
          lease == 0 ? PutOption.DEFAULT : PutOption.builder().withLeaseId(lease).build();
      return Op.put(bytes(put.key()), bytes(put.value()), option);
    }
    return Op.delete(bytes(op.key()), DeleteOption.DEFAULT);
  }

  /** The entries of every get in a transaction's reply, in order. */
  static List<List<KeyValue>> ranges(TxnResponse response) {
    List<List<KeyValue>> ranges = new ArrayList<>();
    for (GetResponse get : response.getGetResponses()) {
      List<KeyValue> got = new ArrayList<>();
      get.getKvs().forEach(kv -> got.add(toKeyValue(kv)));
      ranges.add(got);
    }
    return ranges;
  }

  /** The first entry any get of a transaction's reply holds. */
  static Optional<KeyValue> firstGet(TxnResponse response) {
    return response.getGetResponses().stream()
        .flatMap(get -> get.getKvs().stream())
        .findFirst()
        .map(JetcdCodec::toKeyValue);
  }
}
