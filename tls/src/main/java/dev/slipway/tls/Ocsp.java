package dev.slipway.tls;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OCSP responses to staple (RFC 6960, RFC 6066 §8): asks the responder a certificate names (its Authority Information
 * Access) about it, and keeps the answer only if it is successful, says GOOD for that certificate, is signed by its
 * issuer (or by a responder certificate the issuer signed) and is current.
 */
final class Ocsp {
    private static final Logger LOG = LoggerFactory.getLogger(Ocsp.class);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Ocsp() {
    }

    /** The DER OCSP response for the first certificate of {@code chainPem}, issued by {@code issuer}; empty if none. */
    static Optional<byte[]> fetch(String chainPem, Optional<X509Certificate> issuer) {
        try {
            List<X509Certificate> chain = parse(chainPem);
            X509Certificate leaf = chain.get(0);
            X509Certificate by = issuer.orElse(chain.size() > 1 ? chain.get(1) : null);
            Optional<URI> responder = responder(leaf);
            if (by == null || responder.isEmpty()) {
                return Optional.empty();
            }
            CertificateID id = new CertificateID(new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                    new JcaX509CertificateHolder(by), leaf.getSerialNumber());
            byte[] request = new OCSPReqBuilder().addRequest(id).build().getEncoded();
            HttpResponse<byte[]> answer = HTTP.send(HttpRequest.newBuilder(responder.get()).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/ocsp-request").POST(HttpRequest.BodyPublishers.ofByteArray(request)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (answer.statusCode() != 200) {
                LOG.debug("OCSP responder {} answered {}", responder.get(), answer.statusCode());
                return Optional.empty();
            }
            OCSPResp resp = new OCSPResp(answer.body());
            if (resp.getStatus() != OCSPResp.SUCCESSFUL || !(resp.getResponseObject() instanceof BasicOCSPResp basic)) {
                return Optional.empty();
            }
            if (!signedBy(basic, by)) {
                LOG.warn("OCSP response from {} for {} is not signed by its issuer; not stapled", responder.get(),
                        leaf.getSubjectX500Principal());
                return Optional.empty();
            }
            for (SingleResp single : basic.getResponses()) {
                boolean current = single.getNextUpdate() == null || single.getNextUpdate().toInstant().isAfter(java.time.Instant.now());
                if (single.getCertID().equals(id) && single.getCertStatus() == CertificateStatus.GOOD && current) {
                    return Optional.of(answer.body());
                }
            }
            return Optional.empty();
        } catch (Exception e) {
            LOG.debug("no OCSP response to staple", e);
            return Optional.empty();
        }
    }

    private static boolean signedBy(BasicOCSPResp basic, X509Certificate issuer) throws Exception {
        var verifier = new JcaContentVerifierProviderBuilder();
        if (basic.isSignatureValid(verifier.build(issuer.getPublicKey()))) {
            return true;
        }
        for (var delegated : basic.getCerts()) { // a responder certificate the issuer signed
            if (delegated.isSignatureValid(verifier.build(issuer.getPublicKey()))
                    && basic.isSignatureValid(verifier.build(delegated))) {
                return true;
            }
        }
        return false;
    }

    /** The OCSP responder a certificate names, if any. */
    static Optional<URI> responder(X509Certificate cert) {
        byte[] ext = cert.getExtensionValue(Extension.authorityInfoAccess.getId());
        if (ext == null) {
            return Optional.empty();
        }
        try {
            AuthorityInformationAccess aia = AuthorityInformationAccess.getInstance(
                    ASN1Primitive.fromByteArray(DEROctetString.getInstance(ext).getOctets()));
            for (AccessDescription d : aia.getAccessDescriptions()) {
                if (d.getAccessMethod().equals(AccessDescription.id_ad_ocsp)
                        && d.getAccessLocation().getTagNo() == GeneralName.uniformResourceIdentifier) {
                    return Optional.of(URI.create(d.getAccessLocation().getName().toString()));
                }
            }
        } catch (Exception e) {
            LOG.debug("unreadable Authority Information Access", e);
        }
        return Optional.empty();
    }

    static List<X509Certificate> parse(String pem) throws Exception {
        List<X509Certificate> certs = new ArrayList<>();
        for (var c : CertificateFactory.getInstance("X.509").generateCertificates(
                new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
            certs.add((X509Certificate) c);
        }
        return certs;
    }
}
