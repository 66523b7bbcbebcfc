package dev.socibuilder.testing.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Trust stores for the test registry's self-signed certificate (TLS mode of {@link RegistryServer}). */
final class TlsTrust {

  static final char[] PASSWORD = "changeit".toCharArray();

  private TlsTrust() {}

  /** Writes a PKCS #12 trust store of the default trust anchors (the JDK's cacerts) plus {@code cert}. */
  static Path writeTrustStore(Path cert, Path target) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      Path cacerts = Path.of(System.getProperty("java.home"), "lib", "security", "cacerts");
      if (Files.isRegularFile(cacerts)) {
        KeyStore defaults = KeyStore.getInstance(KeyStore.getDefaultType());
        try (InputStream in = Files.newInputStream(cacerts)) {
          defaults.load(in, PASSWORD);
        }
        for (String alias : java.util.Collections.list(defaults.aliases())) {
          if (defaults.isCertificateEntry(alias)) {
            store.setCertificateEntry(alias, defaults.getCertificate(alias));
          }
        }
      }
      try (InputStream in = Files.newInputStream(cert)) {
        X509Certificate x509 = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        store.setCertificateEntry("soci-test-registry", x509);
      }
      try (OutputStream out = Files.newOutputStream(target)) {
        store.store(out, PASSWORD);
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the trust store " + target, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot write the trust store " + target, e);
    }
  }

  /** A client context trusting the certificates {@code trust} holds, and only those. */
  static SSLContext trusting(KeyStore trust) throws GeneralSecurityException {
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }

  /** A client context trusting what {@code trustStore} holds. */
  static SSLContext sslContext(Path trustStore) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(trustStore)) {
        store.load(in, PASSWORD);
      }
      return trusting(store);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the trust store " + trustStore, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot read the trust store " + trustStore, e);
    }
  }
}
