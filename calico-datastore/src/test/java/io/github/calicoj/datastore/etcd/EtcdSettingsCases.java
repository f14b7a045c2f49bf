package io.github.calicoj.datastore.etcd;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.github.calicoj.testkit.Processes;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The settings both etcd clients share: endpoint schemes and TLS files, checked at once with a
 * message naming the bad value. A TLS path that is not a small regular file ({@code /dev/zero}, a
 * FIFO, a huge file) must fail quickly, never hang or fill the heap.
 */
public abstract class EtcdSettingsCases {
  /** The client these cases run against. */
  protected abstract EtcdClientKind kind();

  /** Far more than a check of file metadata needs; a read of /dev/zero would never end. */
  private static final Duration QUICKLY = Duration.ofSeconds(5);

  @TempDir Path dir;

  @Test
  public void endpointsOfMixedSchemesAreRefusedNamingTheOddOne() {
    EtcdClientKind client = kind();
    assertThatThrownBy(
            () ->
                EtcdTestClients.build(
                    client, b -> b.endpoints("https://127.0.0.1:2379,http://127.0.0.1:2380")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("http://127.0.0.1:2380")
        .hasMessageContaining("https://127.0.0.1:2379")
        .hasMessageContaining("one scheme");
    assertThatThrownBy(
            () ->
                EtcdTestClients.build(
                    client,
                    b -> b.endpoints("http://127.0.0.1:2379").endpoints("https://10.0.0.1:2379")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("https://10.0.0.1:2379");
  }

  @Test
  public void aDeviceAsCaFileFailsAtOnceNamingIt() {
    EtcdClientKind client = kind();
    refusedQuickly(client, Path.of("/dev/zero"), "not a regular file");
  }

  @Test
  public void aFifoAsCaFileFailsAtOnceNamingIt() {
    EtcdClientKind client = kind();
    Path fifo = dir.resolve("ca.fifo");
    Processes.run(List.of("mkfifo", fifo.toString()), Duration.ofSeconds(10));
    refusedQuickly(client, fifo, "not a regular file");
  }

  @Test
  public void aHugeCaFileFailsAtOnceNamingIt() throws IOException {
    EtcdClientKind client = kind();
    Path huge = dir.resolve("huge.crt");
    try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
      f.setLength(4L << 30); // sparse: 4 GiB that take no disk
    }
    refusedQuickly(client, huge, "more than the 1048576 bytes");
  }

  @Test
  public void aMissingCaFileFailsNamingIt() {
    EtcdClientKind client = kind();
    refusedQuickly(client, dir.resolve("missing.crt"), "no such file");
  }

  @Test
  public void aCaFileWithoutACertificateFailsAtBuildNamingIt() throws IOException {
    EtcdClientKind client = kind();
    Path garbage = Files.writeString(dir.resolve("garbage.crt"), "not a certificate\n");
    assertThatThrownBy(
            () ->
                EtcdTestClients.build(
                    client, b -> b.endpoints("https://127.0.0.1:2379").trustedCa(garbage)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(garbage.toString())
        .hasMessageContaining("CA file");
  }

  @Test
  public void aClientKeyThatIsNotPkcs8FailsAtBuildNamingIt() throws IOException {
    EtcdClientKind client = kind();
    Path key =
        Files.writeString(
            dir.resolve("client.key"),
            "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    Path device = Path.of("/dev/zero");
    assertThatThrownBy(
            () ->
                EtcdTestClients.build(
                    client,
                    b -> b.endpoints("https://127.0.0.1:2379").clientCertificate(key, device)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(device.toString());
    assertThatThrownBy(
            () ->
                EtcdTestClients.build(
                    client, b -> b.endpoints("https://127.0.0.1:2379").clientCertificate(key, key)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(key.toString())
        .hasMessageContaining("PKCS#8");
  }

  @Test
  public void tlsFilesForPlainHttpEndpointsAreRefused() throws IOException {
    EtcdClientKind client = kind();
    Path ca = Files.writeString(dir.resolve("ca.crt"), "x");
    assertThatThrownBy(
            () ->
                EtcdTestClients.build(
                    client, b -> b.endpoints("http://127.0.0.1:2379").trustedCa(ca)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("plain http");
  }

  private static void refusedQuickly(EtcdClientKind client, Path file, String reason) {
    assertTimeoutPreemptively(
        QUICKLY,
        () ->
            assertThatThrownBy(
                    () ->
                        EtcdTestClients.build(
                            client, b -> b.endpoints("https://127.0.0.1:2379").trustedCa(file)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining(reason));
  }
}
