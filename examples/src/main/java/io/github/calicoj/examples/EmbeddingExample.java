package io.github.calicoj.examples;

import io.github.calicoj.core.client.CalicoClient;
import io.github.calicoj.core.client.NodeConfig;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.jetcd.EtcdDatastore;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The README's "Embedding the SDK" sample, compiled with the project (ReadmeSampleTest checks that
 * the README shows exactly this code).
 */
public final class EmbeddingExample {
  private EmbeddingExample() {}

  /** Adds, profiles and removes one container; needs etcd, Docker and root. */
  public static WorkloadEndpoint run() throws Exception {
    WorkloadEndpoint ep;
    // README-BEGIN
    try (Datastore store =
            EtcdDatastore.builder()
                .endpoints("https://10.0.0.1:2379,https://10.0.0.2:2379")
                .trustedCa(Path.of("ca.crt"))
                .clientCertificate(Path.of("client.crt"), Path.of("client.key")) // PKCS#8 key
                .requestTimeout(Duration.ofSeconds(5))
                .build();
        CalicoClient calico = CalicoClient.builder(store, "calico-01").build()) {
      calico.configureNode(NodeConfig.ipv4((Inet4Address) InetAddress.getByName("172.17.8.101")));
      calico.ipPools().add(IpPool.of(Cidr.parse("192.168.0.0/16")));
      ep = calico.addContainer("my-container", "192.168.0.1"); // eth1 by default
      calico.profiles().create("web");
      calico.appendProfiles("my-container", List.of("web"));
      calico.removeContainer("my-container");
    }
    // README-END
    return ep;
  }
}
