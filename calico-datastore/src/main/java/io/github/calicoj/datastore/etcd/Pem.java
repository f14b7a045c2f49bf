package io.github.calicoj.datastore.etcd;

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
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/** TLS material from PEM files, for the JDK's TLS: a CA to trust and a PKCS#8 client key. */
final class Pem {
  private Pem() {}

  /**
   * An SSL context that trusts {@code ca} (or the JDK's default trust store if null) and presents
   * {@code cert} with {@code key} (if given).
   *
   * @throws IllegalArgumentException naming the files if they cannot be loaded
   */
  static SSLContext context(@Nullable Path ca, @Nullable Path cert, @Nullable Path key) {
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      if (ca != null) {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        int i = 0;
        for (Certificate c : certificates(ca)) {
          trust.setCertificateEntry("ca-" + i++, c);
        }
        tmf.init(trust);
      } else {
        tmf.init((KeyStore) null);
      }
      KeyManagerFactory kmf = null;
      if (cert != null && key != null) {
        KeyStore keys = KeyStore.getInstance(KeyStore.getDefaultType());
        keys.load(null, null);
        keys.setKeyEntry(
            "client", privateKey(key), new char[0], certificates(cert).toArray(new Certificate[0]));
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw unloadable(ca, cert, key, e);
    }
  }

  /** The error for TLS files that cannot be loaded, naming them (both etcd clients use it). */
  static IllegalArgumentException unloadable(
      @Nullable Path ca, @Nullable Path cert, @Nullable Path key, Exception cause) {
    return new IllegalArgumentException(
        "Cannot load TLS material (CA "
            + ca
            + ", certificate "
            + cert
            + ", key "
            + key
            + "; the key must be PKCS#8): "
            + cause.getMessage(),
        cause);
  }

  private static List<Certificate> certificates(Path file)
      throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(file)) {
      List<Certificate> certs =
          List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
      if (certs.isEmpty()) {
        throw new GeneralSecurityException("no certificate in " + file);
      }
      return certs;
    }
  }

  private static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    int begin = text.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = text.indexOf("-----END PRIVATE KEY-----");
    if (begin < 0 || end < begin) {
      throw new GeneralSecurityException(file + " holds no PKCS#8 key (BEGIN PRIVATE KEY)");
    }
    byte[] der =
        Base64.getMimeDecoder()
            .decode(text.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end));
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    GeneralSecurityException last = null;
    for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw new GeneralSecurityException("unsupported key type in " + file, last);
  }
}
