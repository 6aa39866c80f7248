package dev.slipway.tls;

import dev.slipway.core.model.CertificateValidationRecord;
import dev.slipway.core.spi.CertificateAuthority;
import dev.slipway.core.tls.IssuedCertificate;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority of this state directory, for development: created once, its root certificate written to
 * {@code <dir>/local-ca.pem} (trust it in a browser or with {@code curl --cacert}) and its key to
 * {@code <dir>/local-ca-key.pem} (mode 0600), the way a local development proxy does. It issues at once, without
 * validation, certificates of 90 days (renewed by Slipway when 30 are left) for any name: so
 * {@code https://<service>.localhost} works out of the box and an associated custom domain is ACTIVE at once.
 * Keys are ECDSA P-256.
 */
public final class LocalCertificateAuthority implements CertificateAuthority {
    public static final String ROOT_FILE = "local-ca.pem";
    public static final String KEY_FILE = "local-ca-key.pem";
    private static final Duration LEAF_LIFETIME = Duration.ofDays(90);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path rootFile;
    private final X509Certificate root;
    private final PrivateKey rootKey;
    /** The OCSP responder its certificates name, if it has one (an operator's, e.g. {@code openssl ocsp}). */
    private final Optional<URI> ocspResponder;

    private LocalCertificateAuthority(Path rootFile, X509Certificate root, PrivateKey rootKey, Optional<URI> ocspResponder) {
        this.rootFile = rootFile;
        this.root = root;
        this.rootKey = rootKey;
        this.ocspResponder = ocspResponder;
    }

    /**
     * This CA, with the certificates it issues from now on naming {@code responder} as their OCSP responder (in their
     * Authority Information Access), whose answers the router staples.
     */
    public LocalCertificateAuthority withOcspResponder(URI responder) {
        return new LocalCertificateAuthority(rootFile, root, rootKey, Optional.of(responder));
    }

    @Override
    public Optional<byte[]> ocspResponse(IssuedCertificate certificate) {
        return Ocsp.fetch(certificate.certificateChainPem(), Optional.of(root));
    }

    /** The local CA of {@code dir}: the one created there before, or a new one (valid 10 years). */
    public static synchronized LocalCertificateAuthority open(Path dir) {
        Path rootFile = dir.resolve(ROOT_FILE);
        Path keyFile = dir.resolve(KEY_FILE);
        try {
            if (Files.exists(rootFile) && Files.exists(keyFile)) {
                return new LocalCertificateAuthority(rootFile, readCertificate(Files.readString(rootFile)), readKey(Files.readString(keyFile)),
                        Optional.empty());
            }
            Files.createDirectories(dir);
            KeyPair pair = newKeyPair();
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            X500Name name = new X500Name("CN=Slipway local CA " + hostName() + " " + now.getEpochSecond() + ",O=Slipway development");
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(3650))), name, pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            X509Certificate root = sign(b, pair.getPrivate());
            writePrivate(keyFile, pem(pair.getPrivate()));
            Path tmp = Files.createTempFile(dir, ROOT_FILE, ".tmp");
            Files.writeString(tmp, pem(root));
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, rootFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return new LocalCertificateAuthority(rootFile, root, pair.getPrivate(), Optional.empty());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the local certificate authority in " + dir + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create the local certificate authority: " + e.getMessage(), e);
        }
    }

    /** Where the root certificate is, for users to trust. */
    public Path rootCertificateFile() {
        return rootFile;
    }

    /** The root certificate, PEM. */
    public String rootCertificatePem() {
        return pem(root);
    }

    @Override
    public String describe() {
        return "the local CA (trust " + rootFile + ")";
    }

    @Override
    public Optional<IssuedCertificate> issueAtOnce(List<String> names) {
        try {
            KeyPair pair = newKeyPair();
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            Instant notBefore = now.minus(Duration.ofHours(1));
            Instant notAfter = now.plus(LEAF_LIFETIME);
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            GeneralNames sans = new GeneralNames(names.stream().map(n -> new GeneralName(GeneralName.dNSName, n)).toArray(GeneralName[]::new));
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X509CertificateHolder(root.getEncoded()).getSubject(),
                    serial(), Date.from(notBefore), Date.from(notAfter), new X500Name("CN=" + names.get(0)), pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, sans)
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(root));
            if (ocspResponder.isPresent()) {
                b.addExtension(Extension.authorityInfoAccess, false, new org.bouncycastle.asn1.x509.AuthorityInformationAccess(
                        org.bouncycastle.asn1.x509.AccessDescription.id_ad_ocsp,
                        new GeneralName(GeneralName.uniformResourceIdentifier, ocspResponder.get().toString())));
            }
            X509Certificate leaf = sign(b, rootKey);
            return Optional.of(new IssuedCertificate(names, pem(leaf), pem(pair.getPrivate()), notBefore, notAfter));
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("the local CA could not issue a certificate for " + names + ": " + e.getMessage(), e);
        }
    }

    /** Never needed: {@link #issueAtOnce} always issues. */
    @Override
    public Order order(List<String> names, String dnsTarget) {
        IssuedCertificate issued = issueAtOnce(names).orElseThrow();
        return new Order() {
            @Override
            public List<CertificateValidationRecord> validationRecords() {
                return List.of();
            }

            @Override
            public Optional<IssuedCertificate> poll() {
                return Optional.of(issued);
            }
        };
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws OperatorCreationException, GeneralSecurityException {
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(key);
        return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    static String pem(Object o) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            if (o instanceof PrivateKey k) {
                w.writeObject(new JcaPKCS8Generator(k, null)); // PKCS#8 "PRIVATE KEY", as TLS libraries read it
            } else {
                w.writeObject(o);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    static X509Certificate readCertificate(String pem) throws IOException, GeneralSecurityException {
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            return new JcaX509CertificateConverter().getCertificate((X509CertificateHolder) p.readObject());
        }
    }

    static PrivateKey readKey(String pem) throws IOException {
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            return new JcaPEMKeyConverter().getPrivateKey((PrivateKeyInfo) p.readObject());
        }
    }

    /** A private key and its public key, PEM one after the other. */
    static KeyPair readKeyPair(String pem) throws IOException, GeneralSecurityException {
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            PrivateKey key = converter.getPrivateKey((PrivateKeyInfo) p.readObject());
            java.security.PublicKey pub = converter.getPublicKey((org.bouncycastle.asn1.x509.SubjectPublicKeyInfo) p.readObject());
            return new KeyPair(pub, key);
        }
    }

    /** Writes a secret: created 0600 before a byte is written, then moved into place. */
    static void writePrivate(Path file, String text) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
