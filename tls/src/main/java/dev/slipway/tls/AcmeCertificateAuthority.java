package dev.slipway.tls;

import dev.slipway.core.model.CertificateValidationRecord;
import dev.slipway.core.model.CertificateValidationRecordStatus;
import dev.slipway.core.spi.CertificateAuthority;
import dev.slipway.core.tls.IssuedCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.InitialDirContext;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Challenge;
import org.shredzone.acme4j.challenge.Dns01Challenge;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.connector.HttpConnector;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.provider.GenericAcmeProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Certificates from an ACME (RFC 8555) directory, such as Let's Encrypt's, through acme4j. Names are validated by
 * DNS-01 when Slipway answers a validation zone of its own ({@link AcmeDnsZone}): the records to create are CNAMEs from
 * {@code _acme-challenge.<domain>} to the domain's fixed name in that zone, as App Runner's CertificateValidationRecords
 * are, and wildcards need them. Otherwise by HTTP-01, which the router answers on port 80 once the domain points at
 * Slipway (the record to create is then the domain's CNAME to the service's own domain). A DNS-01 challenge is
 * triggered only once the TXT record resolves (through {@code resolver}, or this machine's), so a CNAME not yet
 * created costs no failed validation. The account key is kept in {@code <state-dir>/acme-account-key.pem} (0600).
 */
public final class AcmeCertificateAuthority implements CertificateAuthority {
    private static final Logger LOG = LoggerFactory.getLogger(AcmeCertificateAuthority.class);
    public static final String ACCOUNT_KEY_FILE = "acme-account-key.pem";

    private final URI directory;
    private final Path stateDir;
    private final Optional<String> email;
    private final Optional<SSLContext> trust;
    private final Optional<AcmeDnsZone> zone;
    private final Optional<String> resolver;
    private final Optional<LocalCertificateAuthority> fallback;
    private volatile HttpChallenges httpChallenges = (token, keyAuthorization) -> {
        throw new IllegalStateException("no router answers HTTP-01 challenges");
    };
    private Login login;

    /**
     * @param caBundle PEM certificates to trust for the directory's HTTPS (an internal ACME server); empty: the JDK's
     * @param zone     the validation zone Slipway answers (DNS-01); empty: HTTP-01
     * @param resolver {@code host:port} of the DNS resolver to look the TXT records up with before a DNS-01 challenge;
     *                 empty: this machine's
     * @param fallback where the certificates of services' own domains, and of names nobody associated, come from
     */
    public AcmeCertificateAuthority(URI directory, Path stateDir, Optional<String> email, Optional<Path> caBundle,
                                    Optional<AcmeDnsZone> zone, Optional<String> resolver, Optional<LocalCertificateAuthority> fallback) {
        this.directory = directory;
        this.stateDir = stateDir;
        this.email = email;
        this.trust = caBundle.map(AcmeCertificateAuthority::trusting);
        this.zone = zone;
        this.resolver = resolver;
        this.fallback = fallback;
    }

    @Override
    public Optional<IssuedCertificate> fallbackCertificate(List<String> names) {
        return fallback.flatMap(f -> f.issueAtOnce(names));
    }

    @Override
    public String describe() {
        return "ACME " + directory + (zone.isPresent() ? " (DNS-01 through " + zone.get().zone() + ")" : " (HTTP-01)");
    }

    @Override
    public Optional<IssuedCertificate> issueAtOnce(List<String> names) {
        return Optional.empty();
    }

    @Override
    public Optional<byte[]> ocspResponse(IssuedCertificate certificate) {
        return Ocsp.fetch(certificate.certificateChainPem(), Optional.empty()); // the issuer is the chain's second
    }

    @Override
    public void answerHttpChallengesWith(HttpChallenges challenges) {
        this.httpChallenges = challenges;
    }

    @Override
    public Optional<String> cannotIssue(List<String> names) {
        return zone.isEmpty() && names.stream().anyMatch(n -> n.startsWith("*."))
                ? Optional.of("a wildcard certificate needs DNS-01 validation, and this server validates by HTTP-01; run it "
                + "with --acme-dns-zone, or associate the subdomains one by one") : Optional.empty();
    }

    @Override
    public Order order(List<String> names, String dnsTarget) throws IOException {
        try {
            org.shredzone.acme4j.Order order = login().newOrder().domains(names).create();
            return new AcmeOrder(order, names, dnsTarget);
        } catch (AcmeException e) {
            throw new IOException("the ACME server refused the order for " + names + ": " + e.getMessage(), e);
        }
    }

    private synchronized Login login() throws AcmeException, IOException {
        if (login == null) {
            Session session = new Session(directory, new Provider(trust));
            AccountBuilder account = new AccountBuilder().agreeToTermsOfService().useKeyPair(accountKey());
            email.ifPresent(account::addEmail);
            login = account.createLogin(session);
            LOG.info("ACME account {} at {}", login.getAccountLocation(), directory);
        }
        return login;
    }

    /** The account's key pair, created once: its private and public key, PEM, in a 0600 file. */
    private KeyPair accountKey() throws IOException {
        Path file = stateDir.resolve(ACCOUNT_KEY_FILE);
        try {
            if (Files.exists(file)) {
                return LocalCertificateAuthority.readKeyPair(Files.readString(file));
            }
            KeyPair pair = newKeyPair();
            LocalCertificateAuthority.writePrivate(file, LocalCertificateAuthority.pem(pair.getPrivate())
                    + LocalCertificateAuthority.pem(pair.getPublic()));
            return pair;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use the ACME account key " + file + ": " + e.getMessage(), e);
        }
    }

    static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /** One certificate on its way: its challenges, answered and triggered as they can be; then the CSR; then the chain. */
    private final class AcmeOrder implements CertificateAuthority.Order {
        private final org.shredzone.acme4j.Order order;
        private final List<String> names;
        private final List<CertificateValidationRecord> records;
        private final Set<String> triggered = ConcurrentHashMap.newKeySet();
        private final List<String> tokens = new ArrayList<>();
        private KeyPair domainKey;

        AcmeOrder(org.shredzone.acme4j.Order order, List<String> names, String dnsTarget) throws AcmeException {
            this.order = order;
            this.names = names;
            Map<String, CertificateValidationRecord> byName = new LinkedHashMap<>();
            Map<String, List<String>> digests = new LinkedHashMap<>();
            for (Authorization auth : order.getAuthorizations()) {
                String domain = auth.getIdentifier().getDomain();
                boolean valid = auth.getStatus() == Status.VALID;
                CertificateValidationRecordStatus status = valid ? CertificateValidationRecordStatus.SUCCESS
                        : CertificateValidationRecordStatus.PENDING_VALIDATION;
                if (zone.isPresent()) {
                    String rr = Dns01Challenge.toRRName(domain).replaceAll("\\.$", "");
                    byName.putIfAbsent(rr, CertificateValidationRecord.cname(rr, zone.get().target(domain), status));
                    if (!valid) {
                        Dns01Challenge c = auth.findChallenge(Dns01Challenge.class).orElseThrow(() ->
                                new AcmeException("the ACME server offers no DNS-01 challenge for " + domain));
                        digests.computeIfAbsent(domain.replaceAll("^\\*\\.", ""), d -> new ArrayList<>()).add(c.getDigest());
                    }
                } else {
                    byName.putIfAbsent(domain, CertificateValidationRecord.cname(domain, dnsTarget, status));
                    if (!valid) {
                        Http01Challenge c = auth.findChallenge(Http01Challenge.class).orElseThrow(() ->
                                new AcmeException("the ACME server offers no HTTP-01 challenge for " + domain));
                        httpChallenges.answer(c.getToken(), c.getAuthorization());
                        tokens.add(c.getToken());
                    }
                }
            }
            digests.forEach((domain, values) -> zone.orElseThrow().publish(domain, values));
            List<CertificateValidationRecord> inOrder = new ArrayList<>(byName.values()); // in the order of the names asked for
            inOrder.sort(java.util.Comparator.comparingInt(v -> names.indexOf(v.name().replaceFirst("^_acme-challenge\\.", ""))));
            this.records = List.copyOf(inOrder);
        }

        @Override
        public List<CertificateValidationRecord> validationRecords() {
            return records;
        }

        @Override
        public Optional<IssuedCertificate> poll() throws IOException {
            try {
                order.fetch();
                switch (order.getStatus()) {
                    case PENDING -> triggerWhatCan();
                    case READY -> {
                        if (domainKey == null) {
                            domainKey = newKeyPair();
                            order.execute(domainKey);
                        }
                    }
                    case VALID -> {
                        done();
                        return Optional.of(issued());
                    }
                    case PROCESSING -> {
                        // the CA is signing
                    }
                    default -> {
                        done();
                        throw new IOException("the ACME order for " + names + " is " + order.getStatus()
                                + order.getError().map(p -> ": " + p.getDetail().orElse(p.toString())).orElse(""));
                    }
                }
                return Optional.empty();
            } catch (AcmeException | GeneralSecurityException e) {
                done();
                throw new IOException("ACME: " + e.getMessage(), e);
            }
        }

        private void triggerWhatCan() throws AcmeException, IOException {
            for (Authorization auth : order.getAuthorizations()) {
                auth.fetch();
                String domain = auth.getIdentifier().getDomain() + (auth.isWildcard() ? " (wildcard)" : "");
                if (auth.getStatus() == Status.INVALID) {
                    done();
                    throw new IOException("the validation of " + domain + " failed" + auth.getChallenges().stream()
                            .flatMap(c -> c.getError().stream()).map(p -> ": " + p.getDetail().orElse(p.toString())).findFirst().orElse(""));
                }
                if (auth.getStatus() != Status.PENDING) {
                    continue;
                }
                Challenge c = zone.isPresent() ? auth.findChallenge(Dns01Challenge.class).orElseThrow()
                        : auth.findChallenge(Http01Challenge.class).orElseThrow();
                if (c.getStatus() != Status.PENDING || triggered.contains(c.getLocation().toString())) {
                    continue;
                }
                if (c instanceof Dns01Challenge dns && !txtResolves(Dns01Challenge.toRRName(auth.getIdentifier().getDomain()), dns.getDigest())) {
                    continue; // its CNAME is not there yet
                }
                c.trigger();
                triggered.add(c.getLocation().toString());
            }
        }

        private IssuedCertificate issued() throws IOException {
            List<X509Certificate> chain = order.getCertificate().getCertificateChain();
            StringBuilder pem = new StringBuilder();
            chain.forEach(c -> pem.append(LocalCertificateAuthority.pem(c)));
            X509Certificate leaf = chain.get(0);
            return new IssuedCertificate(names, pem.toString(), LocalCertificateAuthority.pem(domainKey.getPrivate()),
                    leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant());
        }

        /** Stops answering this order's challenges. */
        private void done() {
            tokens.forEach(t -> httpChallenges.answer(t, null));
            tokens.clear();
        }
    }

    /** Whether the TXT records of {@code name} include {@code value} (following CNAMEs), through the resolver. */
    private boolean txtResolves(String name, String value) {
        Hashtable<String, String> env = new Hashtable<>();
        env.put("java.naming.factory.initial", "com.sun.jndi.dns.DnsContextFactory");
        env.put("java.naming.provider.url", resolver.map(r -> "dns://" + r).orElse("dns:"));
        env.put("com.sun.jndi.dns.timeout.initial", "2000");
        env.put("com.sun.jndi.dns.timeout.retries", "1");
        try {
            InitialDirContext ctx = new InitialDirContext(env);
            try {
                Attribute txt = ctx.getAttributes(name.replaceAll("\\.$", ""), new String[] {"TXT"}).get("TXT");
                if (txt == null) {
                    return false;
                }
                for (NamingEnumeration<?> values = txt.getAll(); values.hasMore(); ) {
                    if (String.valueOf(values.next()).replace("\"", "").trim().equals(value)) {
                        return true;
                    }
                }
                return false;
            } finally {
                ctx.close();
            }
        } catch (NamingException e) {
            return false;
        }
    }

    private static SSLContext trusting(Path bundle) {
        try (InputStream in = Files.newInputStream(bundle)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + i++, c);
            }
            if (i == 0) {
                throw new IllegalArgumentException("--acme-ca-bundle " + bundle + " holds no PEM certificate");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            return ssl;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read --acme-ca-bundle " + bundle + ": " + e.getMessage(), e);
        }
    }

    /** acme4j's generic provider, trusting the CA bundle for the directory's HTTPS where one is given. */
    private static final class Provider extends GenericAcmeProvider {
        private final Optional<SSLContext> trust;

        Provider(Optional<SSLContext> trust) {
            this.trust = trust;
        }

        @Override
        protected HttpConnector createHttpConnector(NetworkSettings settings) {
            return new HttpConnector(settings) {
                @Override
                public HttpClient.Builder createClientBuilder() {
                    HttpClient.Builder b = super.createClientBuilder();
                    trust.ifPresent(b::sslContext);
                    return b;
                }
            };
        }
    }
}
