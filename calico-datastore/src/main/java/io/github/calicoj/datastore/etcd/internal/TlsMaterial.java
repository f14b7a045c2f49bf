package io.github.calicoj.datastore.etcd.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * TLS material from PEM files, read by us for both etcd clients: the certificates to trust (none:
 * the JDK's default trust store) and a client certificate chain with its PKCS#8 key (or none).
 * Every file is checked to be a regular file of at most {@value #MAX_FILE_BYTES} bytes before it is
 * opened, so a wrong path ({@code /dev/zero}, a FIFO, a huge file) fails at once with a message
 * naming it, instead of hanging or filling the heap. Immutable.
 */
public final class TlsMaterial {
  /**
   * The largest PEM file accepted: 1 MiB. A CA bundle or a certificate chain with its key takes a
   * few KiB; even the full public CA bundle of a distribution stays below 300 KiB.
   */
  public static final int MAX_FILE_BYTES = 1 << 20;

  private static final String BEGIN_KEY = "-----BEGIN PRIVATE KEY-----";
  private static final String END_KEY = "-----END PRIVATE KEY-----";

  private final List<X509Certificate> trusted;
  private final @Nullable PrivateKey key;
  private final List<X509Certificate> chain;
  private final String files;

  private TlsMaterial(
      List<X509Certificate> trusted,
      @Nullable PrivateKey key,
      List<X509Certificate> chain,
      String files) {
    this.trusted = List.copyOf(trusted);
    this.key = key;
    this.chain = List.copyOf(chain);
    this.files = files;
  }

  /**
   * Checks that {@code file} is a readable regular file of at most {@value #MAX_FILE_BYTES} bytes,
   * without opening it (opening a FIFO would block).
   *
   * @param what what the file is for the message, e.g. "CA file"
   * @throws IllegalArgumentException naming the file otherwise
   */
  public static Path checkFile(Path file, String what) {
    requireNonNull(file, what);
    checkArgument(Files.exists(file), "Cannot read %s %s: no such file", what, file);
    checkArgument(
        Files.isRegularFile(file),
        "Cannot read %s %s: not a regular file (a PEM file is expected)",
        what,
        file);
    checkArgument(Files.isReadable(file), "Cannot read %s %s: permission denied", what, file);
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read " + what + " " + file + ": " + e, e);
    }
    checkArgument(
        size <= MAX_FILE_BYTES,
        "Cannot read %s %s: %s bytes, more than the %s bytes a PEM file may have",
        what,
        file,
        size,
        MAX_FILE_BYTES);
    return file;
  }

  /**
   * Reads and parses the TLS files (each may be null).
   *
   * @throws IllegalArgumentException naming the file that is missing, too large, not a regular
   *     file, or holds no usable certificate or PKCS#8 key
   */
  public static TlsMaterial load(@Nullable Path ca, @Nullable Path cert, @Nullable Path key) {
    List<X509Certificate> trusted = ca == null ? List.of() : certificates(ca, "CA file");
    String files = "CA " + ca + ", certificate " + cert + ", key " + key;
    if (cert == null || key == null) {
      return new TlsMaterial(trusted, null, List.of(), files);
    }
    return new TlsMaterial(
        trusted,
        privateKey(key, "client key file"),
        certificates(cert, "client certificate file"),
        files);
  }

  /** The CA certificates to trust, or empty for the JDK's defaults. */
  public List<X509Certificate> trusted() {
    return trusted;
  }

  /** The client's private key, or null for no client certificate. */
  public @Nullable PrivateKey key() {
    return key;
  }

  /** The client's certificate chain, empty exactly when {@link #key()} is null. */
  public List<X509Certificate> chain() {
    return chain;
  }

  /** An SSL context for the JDK's TLS that trusts and presents this material. */
  public SSLContext sslContext() throws GeneralSecurityException, IOException {
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    if (trusted.isEmpty()) {
      tmf.init((KeyStore) null);
    } else {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      for (int i = 0; i < trusted.size(); i++) {
        trust.setCertificateEntry("ca-" + i, trusted.get(i));
      }
      tmf.init(trust);
    }
    KeyManagerFactory kmf = null;
    PrivateKey k = key;
    if (k != null) {
      KeyStore keys = KeyStore.getInstance(KeyStore.getDefaultType());
      keys.load(null, null);
      keys.setKeyEntry("client", k, new char[0], chain.toArray(new Certificate[0]));
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, new char[0]);
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  /** The error for this material when a TLS library refuses it, naming the files. */
  public IllegalArgumentException unusable(Exception cause) {
    return new IllegalArgumentException(
        "Cannot use the TLS files (" + files + "): " + cause.getMessage(), cause);
  }

  /** The file's bytes, read with the size cap (the file may have grown since it was checked). */
  private static byte[] read(Path file, String what) {
    checkFile(file, what);
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_FILE_BYTES + 1);
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read " + what + " " + file + ": " + e, e);
    }
    checkArgument(
        bytes.length <= MAX_FILE_BYTES,
        "Cannot read %s %s: more than the %s bytes a PEM file may have",
        what,
        file,
        MAX_FILE_BYTES);
    return bytes;
  }

  private static List<X509Certificate> certificates(Path file, String what) {
    byte[] pem = read(file, what);
    List<X509Certificate> certs = new ArrayList<>();
    try {
      for (Certificate c :
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(pem))) {
        certs.add((X509Certificate) c);
      }
    } catch (GeneralSecurityException | ClassCastException e) {
      throw new IllegalArgumentException(
          "Cannot read " + what + " " + file + ": not a PEM certificate (" + e.getMessage() + ")",
          e);
    }
    checkArgument(!certs.isEmpty(), "Cannot read %s %s: it holds no certificate", what, file);
    return certs;
  }

  private static PrivateKey privateKey(Path file, String what) {
    String text = new String(read(file, what), StandardCharsets.US_ASCII);
    int begin = text.indexOf(BEGIN_KEY);
    int end = text.indexOf(END_KEY);
    checkArgument(
        begin >= 0 && end > begin,
        "Cannot read %s %s: it holds no PKCS#8 key (BEGIN PRIVATE KEY); convert it with"
            + " 'openssl pkcs8 -topk8 -nocrypt'",
        what,
        file);
    PKCS8EncodedKeySpec spec;
    try {
      spec =
          new PKCS8EncodedKeySpec(
              Base64.getMimeDecoder().decode(text.substring(begin + BEGIN_KEY.length(), end)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "Cannot read " + what + " " + file + ": the key is not valid base64", e);
    }
    GeneralSecurityException last = null;
    for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw new IllegalArgumentException(
        "Cannot read " + what + " " + file + ": not an RSA, EC or Ed25519 key", last);
  }
}
