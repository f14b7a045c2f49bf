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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The settings both etcd clients share: endpoint schemes and TLS files, checked at once with a
 * message naming the bad value. A TLS path that is not a small regular file ({@code /dev/zero}, a
 * FIFO, a huge file) must fail quickly, never hang or fill the heap.
 */
class EtcdSettingsTest {
  /** Far more than a check of file metadata needs; a read of /dev/zero would never end. */
  private static final Duration QUICKLY = Duration.ofSeconds(5);

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(EtcdClientKind.class)
  void endpointsOfMixedSchemesAreRefusedNamingTheOddOne(EtcdClientKind client) {
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

  @ParameterizedTest
  @EnumSource(EtcdClientKind.class)
  void aDeviceAsCaFileFailsAtOnceNamingIt(EtcdClientKind client) {
    refusedQuickly(client, Path.of("/dev/zero"), "not a regular file");
  }

  @ParameterizedTest
  @EnumSource(EtcdClientKind.class)
  void aFifoAsCaFileFailsAtOnceNamingIt(EtcdClientKind client) {
    Path fifo = dir.resolve("ca.fifo");
    Processes.run(List.of("mkfifo", fifo.toString()), Duration.ofSeconds(10));
    refusedQuickly(client, fifo, "not a regular file");
  }

  @ParameterizedTest
  @EnumSource(EtcdClientKind.class)
  void aHugeCaFileFailsAtOnceNamingIt(EtcdClientKind client) throws IOException {
    Path huge = dir.resolve("huge.crt");
    try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
      f.setLength(4L << 30); // sparse: 4 GiB that take no disk
    }
    refusedQuickly(client, huge, "more than the 1048576 bytes");
  }

  @ParameterizedTest
  @EnumSource(EtcdClientKind.class)
  void aMissingCaFileFailsNamingIt(EtcdClientKind client) {
    refusedQuickly(client, dir.resolve("missing.crt"), "no such file");
  }

  @ParameterizedTest
  @EnumSource(EtcdClientKind.class)
  void aCaFileWithoutACertificateFailsAtBuildNamingIt(EtcdClientKind client) throws IOException {
    Path garbage = Files.writeString(dir.resolve("garbage.crt"), "not a certificate\n");
    assertThatThrownBy(
            () ->
                EtcdTestClients.build(
                    client, b -> b.endpoints("https://127.0.0.1:2379").trustedCa(garbage)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(garbage.toString())
        .hasMessageContaining("CA file");
  }

  @ParameterizedTest
  @EnumSource(EtcdClientKind.class)
  void aClientKeyThatIsNotPkcs8FailsAtBuildNamingIt(EtcdClientKind client) throws IOException {
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

  @ParameterizedTest
  @EnumSource(EtcdClientKind.class)
  void tlsFilesForPlainHttpEndpointsAreRefused(EtcdClientKind client) throws IOException {
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
