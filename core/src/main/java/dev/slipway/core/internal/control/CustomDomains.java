package dev.slipway.core.internal.control;

import dev.slipway.core.InvalidRequestException;
import dev.slipway.core.InvalidStateException;
import dev.slipway.core.ResourceNotFoundException;
import dev.slipway.core.api.AssociateCustomDomainRequest;
import dev.slipway.core.api.AssociateCustomDomainResponse;
import dev.slipway.core.api.DescribeCustomDomainsRequest;
import dev.slipway.core.api.DescribeCustomDomainsResponse;
import dev.slipway.core.api.DisassociateCustomDomainRequest;
import dev.slipway.core.api.DisassociateCustomDomainResponse;
import dev.slipway.core.internal.routing.RoutingTable;
import dev.slipway.core.model.CertificateValidationRecord;
import dev.slipway.core.model.CertificateValidationRecordStatus;
import dev.slipway.core.model.CustomDomainAssociationStatus;
import dev.slipway.core.model.ServiceStatus;
import dev.slipway.core.spi.CertificateAuthority;
import dev.slipway.core.tls.IssuedCertificate;
import dev.slipway.core.tls.ServerCertificates;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Custom domains: AssociateCustomDomain, DisassociateCustomDomain and DescribeCustomDomains, the certificates of the
 * domains (ordered from the {@link CertificateAuthority}, renewed when a third of their lifetime is left), and the
 * names the router serves them under. A domain routes to its service once ACTIVE; before, its name answers 404.
 * Issuing runs on a thread of its own, never in the caller's request: Associate answers CREATING at once.
 */
public final class CustomDomains implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CustomDomains.class);
    /** The guide: "you can associate up to five custom domains" with a service. */
    public static final int PER_SERVICE = 5;
    private static final Duration POLL = Duration.ofSeconds(2);

    private final ControlState state;
    private final RoutingTable routing;
    private final Optional<CertificateAuthority> authority;
    private final String baseDomain;
    private final BiConsumer<ServiceRecord, String> note;
    private final Clock clock;
    private final ScheduledExecutorService work = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "slipway-certificates");
        t.setDaemon(true);
        return t;
    });
    /** Orders on their way, by service ARN and domain. */
    private final Map<String, CertificateAuthority.Order> orders = new ConcurrentHashMap<>();
    /** What the router presents: the ACTIVE domains' certificates, services' own, the fallback; OCSP responses. */
    private final ServedCertificates served;

    /** Custom domains of {@code services}' services, noted in their events; gone with a service when it is deleted. */
    public CustomDomains(ControlState state, ServiceActions services, RoutingTable routing, Optional<CertificateAuthority> authority,
                         String baseDomain, Clock clock) {
        this.state = state;
        this.routing = routing;
        this.authority = authority;
        this.baseDomain = baseDomain.toLowerCase(Locale.ROOT);
        this.note = services::note;
        services.onDeleted(this::forget);
        this.clock = clock;
        this.served = new ServedCertificates(authority, this.baseDomain, name -> routing.snapshot().routes().containsKey(name), clock, work);
        authority.ifPresent(a -> a.answerHttpChallengesWith(routing::challenge));
        work.scheduleWithFixedDelay(this::renewDue, 1, 1, TimeUnit.HOURS);
    }

    // ---------------------------------------------------------------- the actions

    public AssociateCustomDomainResponse associate(AssociateCustomDomainRequest r) {
        String name = DomainNames.check(r.domainName(), "domainName", baseDomain);
        boolean wildcard = name.startsWith("*.");
        if (wildcard && Boolean.TRUE.equals(r.enableWWWSubdomain())) {
            throw new InvalidRequestException("enableWWWSubdomain cannot be true for the wildcard " + name
                    + ": a wildcard covers the immediate subdomains of " + name.substring(2) + " (www included)");
        }
        boolean www = !wildcard && !Boolean.FALSE.equals(r.enableWWWSubdomain()); // default: true
        authority.flatMap(a -> a.cannotIssue(www ? List.of(name, "www." + name) : List.of(name))).ifPresent(why -> {
            throw new InvalidRequestException("domainName " + name + ": " + why);
        });
        DomainRecord added = state.write(() -> {
            ServiceRecord s = state.service(r.serviceArn());
            if (s.status() == ServiceStatus.CREATE_FAILED || s.status() == ServiceStatus.DELETE_FAILED
                    || s.status() == ServiceStatus.DELETED) {
                throw new InvalidStateException("Cannot associate a domain with service " + s.name() + " while its status is "
                        + s.status());
            }
            if (s.domain(name).isPresent()) {
                throw new InvalidRequestException("Domain " + name + " is already associated with service " + s.name()
                        + "; DescribeCustomDomains shows its status");
            }
            if (s.domains().size() >= PER_SERVICE) {
                throw new InvalidRequestException("Service " + s.name() + " has " + PER_SERVICE + " custom domains, the most "
                        + "a service can have; disassociate one first");
            }
            DomainRecord d = new DomainRecord(name, www, CustomDomainAssociationStatus.CREATING, List.of(), Optional.empty(),
                    Optional.empty());
            for (String host : d.hostNames()) {
                for (ServiceRecord other : state.allServices()) {
                    for (DomainRecord taken : other.domains()) {
                        if (taken.hostNames().contains(host)) {
                            throw new InvalidRequestException("Domain " + host + " is already associated with service "
                                    + other.name() + " (as part of " + taken.name() + "); disassociate it there first"
                                    + (host.startsWith("www.") && www ? ", or set enableWWWSubdomain to false" : ""));
                        }
                    }
                }
            }
            state.put(s.withDomains(append(s.domains(), d)));
            return d;
        });
        ServiceRecord s = state.read(() -> state.service(r.serviceArn()));
        note.accept(s, "Custom domain " + name + (www ? " (and www." + name + ")" : "") + " associated; issuing its certificate"
                + authority.map(a -> " from " + a.describe()).orElse(""));
        work.execute(() -> start(s.arn(), name));
        return new AssociateCustomDomainResponse(dnsTarget(s), s.arn(), added.shape(), vpcTargets(s));
    }

    public DisassociateCustomDomainResponse disassociate(DisassociateCustomDomainRequest r) {
        String name = DomainNames.check(r.domainName(), "domainName", baseDomain);
        DomainRecord removed = state.write(() -> {
            ServiceRecord s = state.service(r.serviceArn());
            DomainRecord d = s.domain(name).orElseThrow(() -> new ResourceNotFoundException("Service " + s.name()
                    + " has no custom domain " + name + "; DescribeCustomDomains lists those it has"));
            state.put(s.withDomains(s.domains().stream().filter(x -> x != d).toList()));
            return d;
        });
        ServiceRecord s = state.read(() -> state.service(r.serviceArn()));
        orders.remove(s.arn() + " " + name);
        publish();
        note.accept(s, "Custom domain " + name + " disassociated: the router no longer serves it, and its certificate is deleted");
        return new DisassociateCustomDomainResponse(dnsTarget(s), s.arn(),
                removed.with(CustomDomainAssociationStatus.DELETING, removed.records(), Optional.empty(), Optional.empty()).shape(),
                vpcTargets(s));
    }

    public DescribeCustomDomainsResponse describe(DescribeCustomDomainsRequest r) {
        ServiceRecord s = state.read(() -> state.service(r.serviceArn()));
        if (r.maxResults() != null && (r.maxResults() < 1 || r.maxResults() > PER_SERVICE)) {
            throw new InvalidRequestException("maxResults must be between 1 and " + PER_SERVICE + " (got " + r.maxResults() + ")");
        }
        Pages.Page<DomainRecord> page = Pages.page(s.domains(), r.maxResults(), r.nextToken(), PER_SERVICE);
        return new DescribeCustomDomainsResponse(dnsTarget(s), s.arn(), page.items().stream().map(DomainRecord::shape).toList(),
                vpcTargets(s), page.nextToken());
    }

    /** Where the service is reached privately: its VPC ingress connections' domain names (VpcDNSTargets). */
    private List<dev.slipway.core.model.VpcDNSTarget> vpcTargets(ServiceRecord s) {
        return state.read(() -> state.ingressConnections().list(new dev.slipway.core.model.ListVpcIngressConnectionsFilter(s.arn(), null))
                .stream().map(c -> new dev.slipway.core.model.VpcDNSTarget(c.vpcIngressConnectionArn(),
                        c.ingressVpcConfiguration().vpcId(), c.domainName())).toList());
    }

    /** The name a domain's CNAME record points at: the service's own domain. */
    private static String dnsTarget(ServiceRecord s) {
        return s.host();
    }

    private static List<DomainRecord> append(List<DomainRecord> list, DomainRecord d) {
        List<DomainRecord> next = new ArrayList<>(list);
        next.add(d);
        return next;
    }

    // ---------------------------------------------------------------- issuing

    /** Orders the certificate of a new domain (on the certificates thread). */
    private void start(String arn, String name) {
        Optional<DomainRecord> d = current(arn, name);
        if (d.isEmpty()) {
            return;
        }
        if (authority.isEmpty()) { // no authority, no HTTPS: the domain is served over HTTP
            activate(arn, name, Optional.empty());
            return;
        }
        CertificateAuthority ca = authority.get();
        try {
            Optional<IssuedCertificate> now = ca.issueAtOnce(d.get().hostNames());
            if (now.isPresent()) {
                update(arn, name, CustomDomainAssociationStatus.BINDING_CERTIFICATE, List.of(), now, Optional.empty());
                activate(arn, name, now);
                return;
            }
            CertificateAuthority.Order order = ca.order(d.get().hostNames(), dnsTarget(state.read(() -> state.service(arn))));
            orders.put(arn + " " + name, order);
            update(arn, name, CustomDomainAssociationStatus.PENDING_CERTIFICATE_DNS_VALIDATION, order.validationRecords(),
                    Optional.empty(), Optional.empty());
            work.schedule(() -> poll(arn, name), POLL.toMillis(), TimeUnit.MILLISECONDS);
        } catch (IOException | RuntimeException e) {
            failed(arn, name, e);
        }
    }

    private void poll(String arn, String name) {
        CertificateAuthority.Order order = orders.get(arn + " " + name);
        Optional<DomainRecord> d = current(arn, name);
        if (order == null || d.isEmpty()) {
            orders.remove(arn + " " + name);
            return;
        }
        try {
            Optional<IssuedCertificate> issued = order.poll();
            if (issued.isEmpty()) {
                work.schedule(() -> poll(arn, name), POLL.toMillis(), TimeUnit.MILLISECONDS);
                return;
            }
            orders.remove(arn + " " + name);
            if (d.get().status() != CustomDomainAssociationStatus.ACTIVE) { // a renewal stays ACTIVE, and routed, throughout
                List<CertificateValidationRecord> validated = d.get().records().stream()
                        .map(v -> v.withStatus(CertificateValidationRecordStatus.SUCCESS)).toList();
                update(arn, name, CustomDomainAssociationStatus.BINDING_CERTIFICATE, validated, issued, Optional.empty());
            }
            activate(arn, name, issued);
        } catch (IOException | RuntimeException e) {
            orders.remove(arn + " " + name);
            failed(arn, name, e);
        }
    }

    private void activate(String arn, String name, Optional<IssuedCertificate> certificate) {
        Optional<DomainRecord> d = current(arn, name);
        if (d.isEmpty()) {
            return;
        }
        List<CertificateValidationRecord> records = d.get().records().stream()
                .map(v -> v.withStatus(CertificateValidationRecordStatus.SUCCESS)).toList();
        boolean renewal = d.get().status() == CustomDomainAssociationStatus.ACTIVE && d.get().certificate().isPresent();
        update(arn, name, CustomDomainAssociationStatus.ACTIVE, records, certificate.or(() -> d.get().certificate()), Optional.empty());
        publish();
        state.find(arn).ifPresent(s -> note.accept(s, "Custom domain " + name + (renewal ? ": certificate renewed" : " is ACTIVE")
                + certificate.map(c -> (renewal ? ", valid until " : ": certificate valid until ") + c.notAfter())
                .orElse(" (served over HTTP: no certificate authority)")));
    }

    private void failed(String arn, String name, Exception e) {
        String why = e.getMessage() == null ? e.toString() : e.getMessage();
        LOG.debug("certificate of {} failed", name, e);
        Optional<DomainRecord> d = current(arn, name);
        if (d.isEmpty()) {
            return;
        }
        boolean renewal = d.get().status() == CustomDomainAssociationStatus.ACTIVE;
        if (!renewal) {
            update(arn, name, CustomDomainAssociationStatus.CREATE_FAILED, d.get().records().stream()
                    .map(v -> v.withStatus(CertificateValidationRecordStatus.FAILED)).toList(), Optional.empty(), Optional.of(why));
        }
        if (renewal) { // nothing is saved (the domain stays ACTIVE, its certificate serves): said as an event of its own
            state.read(() -> state.find(arn)).ifPresent(s -> state.emit(s, dev.slipway.core.events.AppRunnerEvent.CERTIFICATE_STATUS_CHANGE,
                    java.util.Map.of("DomainName", name, "Status", "CertificateRenewalFailed", "Message", "The certificate of "
                            + name + " could not be renewed (" + why + "); the current one serves until "
                            + d.get().certificate().map(IssuedCertificate::notAfter).map(Object::toString).orElse("?")
                            + ", and the renewal is tried again in an hour.", "Severity", "ERROR")));
        }
        state.find(arn).ifPresent(s -> note.accept(s, "Custom domain " + name + ": the certificate could not be "
                + (renewal ? "renewed (the current one serves until " + d.get().certificate().map(IssuedCertificate::notAfter)
                .map(Object::toString).orElse("?") + "; retried in an hour)" : "issued, so the domain is CREATE_FAILED") + ": " + why));
    }

    private Optional<DomainRecord> current(String arn, String name) {
        return state.read(() -> state.find(arn)).flatMap(s -> s.domain(name));
    }

    /** Saves a domain's new status (nothing, if it was disassociated meanwhile). */
    private void update(String arn, String name, CustomDomainAssociationStatus status, List<CertificateValidationRecord> records,
                        Optional<IssuedCertificate> certificate, Optional<String> failure) {
        state.writeEventually(() -> state.find(arn).ifPresent(s -> s.domain(name).ifPresent(d -> state.put(s.withDomains(
                s.domains().stream().map(x -> x == d ? d.with(status, records, certificate.or(d::certificate), failure) : x)
                        .toList())))));
    }

    /** Renews the certificates with a third of their lifetime left (hourly; and {@link #renew} on demand). */
    private void renewDue() {
        for (ServiceRecord s : state.read(state::allServices)) {
            for (DomainRecord d : s.domains()) {
                if (d.status() == CustomDomainAssociationStatus.ACTIVE
                        && d.certificate().map(c -> c.dueForRenewal(clock.instant())).orElse(false)) {
                    renew(s.arn(), d.name());
                }
            }
        }
    }

    /** Orders a new certificate for an ACTIVE domain; the current one serves until the new one is issued. */
    public void renew(String serviceArn, String domainName) {
        String name = DomainNames.check(domainName, "domainName", baseDomain);
        ServiceRecord s = state.read(() -> state.service(serviceArn));
        DomainRecord d = s.domain(name).orElseThrow(() -> new ResourceNotFoundException("Service " + s.name()
                + " has no custom domain " + name));
        if (d.status() != CustomDomainAssociationStatus.ACTIVE || authority.isEmpty()) {
            throw new InvalidStateException("Custom domain " + name + " is " + d.status() + "; only an ACTIVE domain's "
                    + "certificate is renewed" + (authority.isEmpty() ? ", and there is no certificate authority" : ""));
        }
        work.execute(() -> {
            try {
                Optional<IssuedCertificate> now = authority.get().issueAtOnce(d.hostNames());
                if (now.isPresent()) {
                    activate(s.arn(), name, now);
                    return;
                }
                orders.put(s.arn() + " " + name, authority.get().order(d.hostNames(), dnsTarget(s)));
                work.schedule(() -> poll(s.arn(), name), POLL.toMillis(), TimeUnit.MILLISECONDS);
            } catch (IOException | RuntimeException e) {
                failed(s.arn(), name, e);
            }
        });
    }

    /** After a restart: routes and certificates of ACTIVE domains at once, and the domains on their way carry on. */
    public void restore() {
        publish();
        for (ServiceRecord s : state.read(state::allServices)) {
            for (DomainRecord d : s.domains()) {
                if (d.status() == CustomDomainAssociationStatus.CREATING
                        || d.status() == CustomDomainAssociationStatus.PENDING_CERTIFICATE_DNS_VALIDATION
                        || d.status() == CustomDomainAssociationStatus.BINDING_CERTIFICATE) {
                    work.execute(() -> start(s.arn(), d.name()));
                }
            }
        }
    }

    /** A service was deleted: its domains and their certificates go with it. */
    public void forget(ServiceRecord s) {
        s.domains().forEach(d -> orders.remove(s.arn() + " " + d.name()));
        served.forgetServiceDomain(s.host());
        routing.alias(s.host(), List.of());
        publish();
    }

    // ---------------------------------------------------------------- what the router serves

    /**
     * The tag by which a service opts in to having its plain HTTP requests redirected (308) to HTTPS, on its own
     * domain and its custom domains: {@code slipway:https-redirect} = {@code true} (a Slipway extension; App Runner
     * serves HTTPS only).
     */
    public static final String HTTPS_REDIRECT_TAG = "slipway:https-redirect";

    /**
     * Sets the router's aliases, redirects and certificates from every service's ACTIVE domains and tags (after a
     * change of them).
     */
    public synchronized void publish() {
        Map<String, IssuedCertificate> next = new HashMap<>();
        for (ServiceRecord s : state.read(state::allServices)) {
            List<String> names = new ArrayList<>();
            for (DomainRecord d : s.domains()) {
                if (d.status() == CustomDomainAssociationStatus.ACTIVE) {
                    names.addAll(d.hostNames());
                    d.certificate().ifPresent(c -> d.hostNames().forEach(h -> next.put(h, c)));
                }
            }
            routing.alias(s.host(), names);
            routing.httpsRedirect(s.host(), "true".equalsIgnoreCase(s.tags().get(HTTPS_REDIRECT_TAG)));
        }
        served.index(next);
    }

    /** The certificates the router presents: the ACTIVE domains', services' own, the fallback, with OCSP responses. */
    public ServerCertificates certificates() {
        return served;
    }

    @Override
    public void close() {
        work.shutdownNow();
    }
}
