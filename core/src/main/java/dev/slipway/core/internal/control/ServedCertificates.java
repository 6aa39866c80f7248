package dev.slipway.core.internal.control;

import dev.slipway.core.spi.CertificateAuthority;
import dev.slipway.core.tls.IssuedCertificate;
import dev.slipway.core.tls.ServerCertificates;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificates a router presents, by the name a client asks for: a custom domain's (exact, then the wildcard of
 * its parent), a service's own domain's (issued on first use by the authority's fallback issuer, e.g. the local CA),
 * else the base domain's; and the OCSP response to staple with each, fetched in the background. Lookups never block
 * on the network. The leader's {@link CustomDomains} and a follower's {@link StoredCertificates} fill it alike.
 */
final class ServedCertificates implements ServerCertificates {
    private static final Logger LOG = LoggerFactory.getLogger(ServedCertificates.class);

    private final Optional<CertificateAuthority> authority;
    private final String baseDomain;
    /** Whether a name is a service's own domain served now (a route key). */
    private final Predicate<String> routed;
    private final Clock clock;
    /** Where OCSP responses are fetched (off the event loops). */
    private final Executor work;
    /** The certificates of ACTIVE domains by host name ({@code *.example.com} for a wildcard); swapped whole. */
    private volatile Map<String, IssuedCertificate> certificates = Map.of();
    /** Certificates of service domains, issued on first use by an authority that issues at once. */
    private final Map<String, IssuedCertificate> serviceDomainCertificates = new ConcurrentHashMap<>();
    private volatile IssuedCertificate fallback;

    ServedCertificates(Optional<CertificateAuthority> authority, String baseDomain, Predicate<String> routed, Clock clock, Executor work) {
        this.authority = authority;
        this.baseDomain = baseDomain;
        this.routed = routed;
        this.clock = clock;
        this.work = work;
    }

    /** Serves these custom domains' certificates from now on. */
    void index(Map<String, IssuedCertificate> byHostName) {
        certificates = Map.copyOf(byHostName);
    }

    void forgetServiceDomain(String host) {
        serviceDomainCertificates.remove(host);
    }

    @Override
    public Optional<IssuedCertificate> forServerName(String serverName) {
        if (serverName != null) {
            String name = serverName.toLowerCase(Locale.ROOT);
            Map<String, IssuedCertificate> now = certificates;
            IssuedCertificate exact = now.get(name);
            if (exact != null) {
                return Optional.of(exact);
            }
            int dot = name.indexOf('.');
            IssuedCertificate wildcard = dot > 0 ? now.get("*" + name.substring(dot)) : null;
            if (wildcard != null) {
                return Optional.of(wildcard);
            }
            Optional<IssuedCertificate> own = serviceDomain(name);
            if (own.isPresent()) {
                return own;
            }
        }
        return Optional.ofNullable(fallback());
    }

    /** The certificate of a service's own domain, issued on first use where the authority issues at once. */
    private Optional<IssuedCertificate> serviceDomain(String name) {
        if (authority.isEmpty() || !name.endsWith("." + baseDomain) || !routed.test(name)) {
            return Optional.empty();
        }
        IssuedCertificate known = serviceDomainCertificates.get(name);
        if (known != null && !known.dueForRenewal(clock.instant())) {
            return Optional.of(known);
        }
        Optional<IssuedCertificate> issued = authority.get().fallbackCertificate(List.of(name));
        issued.ifPresent(c -> serviceDomainCertificates.put(name, c));
        return issued.or(() -> Optional.ofNullable(known));
    }

    /** OCSP responses by the certificate they are for (its chain), with when to fetch them again. */
    private final Map<String, Stapled> stapled = new ConcurrentHashMap<>();

    private record Stapled(Optional<byte[]> response, java.time.Instant refreshAt) {
    }

    @Override
    public Optional<byte[]> ocspResponse(IssuedCertificate certificate) {
        if (authority.isEmpty()) {
            return Optional.empty();
        }
        String key = certificate.certificateChainPem();
        Stapled now = stapled.get(key);
        if (now == null || clock.instant().isAfter(now.refreshAt())) {
            // one fetch at a time per certificate: until it is done, handshakes staple what there was (or nothing)
            Stapled pending = new Stapled(now == null ? Optional.empty() : now.response(), clock.instant().plus(Duration.ofSeconds(30)));
            if (now == null ? stapled.putIfAbsent(key, pending) == null : stapled.replace(key, now, pending)) {
                work.execute(() -> {
                    Optional<byte[]> fetched = Optional.empty();
                    try {
                        fetched = authority.get().ocspResponse(certificate);
                    } catch (RuntimeException e) {
                        LOG.debug("OCSP response for {} not fetched", certificate.names(), e);
                    }
                    // an hour between fetches (responders update every few hours to days); 10 s after a failure
                    if (stapled.size() > 10_000) {
                        stapled.clear(); // responses of certificates renewed long ago
                    }
                    stapled.put(key, new Stapled(fetched.or(pending::response), clock.instant()
                            .plus(fetched.isPresent() ? Duration.ofHours(1) : Duration.ofSeconds(10))));
                });
            }
            return pending.response();
        }
        return now.response();
    }

    /** The certificate for clients that name no host, or one Slipway does not serve: the base domain's. */
    private IssuedCertificate fallback() {
        IssuedCertificate f = fallback;
        if ((f == null || f.dueForRenewal(clock.instant())) && authority.isPresent()) {
            f = authority.get().fallbackCertificate(List.of(baseDomain, "*." + baseDomain)).orElse(f);
            fallback = f;
        }
        return f;
    }

}
