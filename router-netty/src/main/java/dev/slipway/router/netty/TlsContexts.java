package dev.slipway.router.netty;

import dev.slipway.core.tls.IssuedCertificate;
import dev.slipway.core.tls.ServerCertificates;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.Mapping;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS side of the router's HTTPS listener: for the server name a client asks for (SNI), the {@link SslContext} of
 * the certificate {@link ServerCertificates} gives, built once per certificate (a renewed certificate gets a new
 * context for new connections; connections open keep theirs, so rotation drops none). BoringSSL (netty-tcnative)
 * where it loads, the JDK's TLS otherwise; TLS 1.3 and 1.2 only, with forward-secret AEAD ciphers (Mozilla's
 * "intermediate" list), session resumption (tickets and a session cache), ALPN offering HTTP/2 and HTTP/1.1, and the
 * certificate's OCSP response stapled where its CA has a responder (BoringSSL only).
 */
final class TlsContexts implements Mapping<String, SslContext> {
    private static final Logger LOG = LoggerFactory.getLogger(TlsContexts.class);
    /** Mozilla's "intermediate" configuration for TLS 1.2 (1.3's suites are all good and always on). */
    static final List<String> CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    private static final int CACHE_LIMIT = 10_000;

    private final ServerCertificates certificates;
    private final SslProvider provider;
    private final Map<String, SslContext> contexts = new ConcurrentHashMap<>();
    /** The certificate of each context, for its OCSP response. */
    private final Map<SslContext, IssuedCertificate> certificateOf = new ConcurrentHashMap<>();

    TlsContexts(ServerCertificates certificates) {
        this.certificates = certificates;
        // reference-counted: engines are freed as connections close (SslHandler releases them), not by finalizers
        this.provider = OpenSsl.isAvailable() ? SslProvider.OPENSSL_REFCNT : SslProvider.JDK;
        if (provider == SslProvider.OPENSSL_REFCNT) {
            LOG.debug("Router TLS: {} ({})", OpenSsl.versionString(), provider);
        } else {
            LOG.warn("Router TLS: the JDK's (BoringSSL did not load: {})", OpenSsl.unavailabilityCause().toString());
        }
    }

    /** The context for a client's server name (null: none sent); null when there is no certificate at all. */
    @Override
    public SslContext map(String serverName) {
        IssuedCertificate c = certificates.forServerName(serverName).orElse(null);
        if (c == null) {
            return null;
        }
        SslContext known = contexts.get(c.certificateChainPem());
        if (known != null) {
            return known;
        }
        if (contexts.size() > CACHE_LIMIT) { // certificates renewed many times over: start afresh
            List<SslContext> old = List.copyOf(contexts.values());
            contexts.clear();
            certificateOf.clear();
            old.forEach(io.netty.util.ReferenceCountUtil::release); // open connections' engines hold their own reference
        }
        return contexts.computeIfAbsent(c.certificateChainPem(), pem -> {
            SslContext built = build(c);
            certificateOf.put(built, c);
            return built;
        });
    }

    /** The handler of a connection whose client asked for a name: TLS with that name's certificate, OCSP stapled. */
    SniHandler sniHandler() {
        return new SniHandler(this) {
            @Override
            protected io.netty.handler.ssl.SslHandler newSslHandler(SslContext context, io.netty.buffer.ByteBufAllocator allocator) {
                io.netty.handler.ssl.SslHandler handler = super.newSslHandler(context, allocator);
                IssuedCertificate c = certificateOf.get(context);
                if (c != null && handler.engine() instanceof io.netty.handler.ssl.ReferenceCountedOpenSslEngine openSsl) {
                    certificates.ocspResponse(c).ifPresent(openSsl::setOcspResponse);
                }
                return handler;
            }
        };
    }

    private SslContext build(IssuedCertificate c) {
        try {
            return SslContextBuilder.forServer(new ByteArrayInputStream(c.certificateChainPem().getBytes(StandardCharsets.US_ASCII)),
                            new ByteArrayInputStream(c.privateKeyPem().getBytes(StandardCharsets.US_ASCII)))
                    .sslProvider(provider)
                    .enableOcsp(provider == SslProvider.OPENSSL_REFCNT) // stapling, where the certificate's CA has a responder
                    .protocols("TLSv1.3", "TLSv1.2")
                    .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .sessionCacheSize(20_000).sessionTimeout(3600)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2,
                            ApplicationProtocolNames.HTTP_1_1))
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot use the certificate for " + c.names() + ": " + e.getMessage(), e);
        }
    }
}
