package io.github.calicoj.datastore.etcd;

import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.Lease;
import java.time.Duration;

/**
 * A writer for {@link EtcdLeaseCases}: with the client named by {@code args[0]} it grants a lease
 * of {@code args[3]} seconds at {@code args[1]}, writes {@code args[2]} with it, prints "written"
 * and keeps the lease alive until it is killed.
 */
public final class LeaseWriterMain {
  private LeaseWriterMain() {}

  public static void main(String[] args) throws InterruptedException {
    Datastore store =
        EtcdTestClients.build(
            EtcdClientKind.valueOf(args[0]),
            b -> b.endpoints(args[1]).requestTimeout(Duration.ofSeconds(5)));
    Lease lease = store.grantLease(Duration.ofSeconds(Long.parseLong(args[3])));
    store.put(Key.of(args[2]), "alive", lease);
    System.out.println("written");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
