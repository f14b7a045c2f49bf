package io.github.calicoj.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A throwaway CA, server certificate (for 127.0.0.1) and client certificate with a PKCS#8 key, made
 * by openssl in a directory. Test-only.
 *
 * @param dir where the files are
 */
public record EtcdTls(Path dir) {

  /** Creates all files in a new temporary directory. */
  public static EtcdTls create() {
    Requirements.requireOpenssl();
    try {
      Path dir = Files.createTempDirectory("calicoj-tls-");
      Files.writeString(
          dir.resolve("server.ext"),
          "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
              + "extendedKeyUsage=serverAuth,clientAuth\n"
              + "keyUsage=digitalSignature,keyEncipherment\n");
      Files.writeString(
          dir.resolve("client.ext"),
          "extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n");
      openssl(
          dir,
          "req",
          "-x509",
          "-newkey",
          "rsa:2048",
          "-nodes",
          "-keyout",
          "ca.key",
          "-out",
          "ca.crt",
          "-days",
          "2",
          "-subj",
          "/CN=calicoj-test-ca");
      for (String who : List.of("server", "client")) {
        openssl(
            dir,
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            who + ".raw.key",
            "-out",
            who + ".csr",
            "-subj",
            "/CN=" + (who.equals("client") ? "root" : "etcd-server"));
        openssl(
            dir,
            "x509",
            "-req",
            "-in",
            who + ".csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            who + ".crt",
            "-days",
            "2",
            "-extfile",
            who + ".ext");
        // Netty needs PKCS#8 ("BEGIN PRIVATE KEY") whatever openssl's default is.
        openssl(dir, "pkcs8", "-topk8", "-nocrypt", "-in", who + ".raw.key", "-out", who + ".key");
      }
      return new EtcdTls(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void openssl(Path dir, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    cmd.replaceAll(
        a ->
            a.endsWith(".key") || a.endsWith(".crt") || a.endsWith(".csr") || a.endsWith(".ext")
                ? dir.resolve(a).toString()
                : a);
    Processes.run(cmd, Duration.ofSeconds(60));
  }

  /** The CA certificate (PEM). */
  public Path caCert() {
    return dir.resolve("ca.crt");
  }

  /** The server certificate (PEM). */
  public Path serverCert() {
    return dir.resolve("server.crt");
  }

  /** The server key (PKCS#8 PEM). */
  public Path serverKey() {
    return dir.resolve("server.key");
  }

  /** The client certificate (PEM), CN=root. */
  public Path clientCert() {
    return dir.resolve("client.crt");
  }

  /** The client key (PKCS#8 PEM). */
  public Path clientKey() {
    return dir.resolve("client.key");
  }
}
