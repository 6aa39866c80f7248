package dev.slipway.core.internal.control;

import dev.slipway.core.internal.store.StateSchema;
import dev.slipway.core.model.CustomDomainAssociationStatus;
import dev.slipway.core.spi.CertificateAuthority;
import dev.slipway.core.store.StateStore;
import dev.slipway.core.store.StoredState;
import dev.slipway.core.tls.IssuedCertificate;
import dev.slipway.core.tls.ServerCertificates;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificates a follower's router presents (a replica that serves the leader's routes while it waits to lead):
 * the custom domains' certificates as the leader saved them in the state store, read again every {@code interval}
 * (reads only: the leader alone writes), and services' own domains' from the authority's fallback issuer.
 */
public final class StoredCertificates implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StoredCertificates.class);

    private final StateStore store;
    private final ServedCertificates served;
    private final ScheduledExecutorService work = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "slipway-follower-certificates");
        t.setDaemon(true);
        return t;
    });

    public StoredCertificates(StateStore store, Optional<CertificateAuthority> authority, String baseDomain,
                              Predicate<String> routed, Duration interval) {
        this.store = store;
        this.served = new ServedCertificates(authority, baseDomain, routed, Clock.systemUTC(), work);
        refresh();
        work.scheduleWithFixedDelay(this::refresh, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Reads the ACTIVE custom domains' certificates from the store again. */
    void refresh() {
        try {
            Optional<StoredState> state = store.load();
            Map<String, IssuedCertificate> next = new HashMap<>();
            state.ifPresent(s -> s.documents().forEach((key, json) -> {
                if (StateSchema.isServiceKey(key) && s.schemaVersion() == StateSchema.VERSION) {
                    for (DomainRecord d : StateDocuments.readService(key, json, List.of()).domains()) {
                        if (d.status() == CustomDomainAssociationStatus.ACTIVE) {
                            d.certificate().ifPresent(c -> d.hostNames().forEach(h -> next.put(h, c)));
                        }
                    }
                }
            }));
            served.index(next);
        } catch (RuntimeException e) {
            LOG.warn("could not read the custom domains' certificates from the state (kept those read before): {}", e.getMessage());
        }
    }

    /** The certificates a follower's router presents. */
    public ServerCertificates certificates() {
        return served;
    }

    @Override
    public void close() {
        work.shutdownNow();
    }
}
