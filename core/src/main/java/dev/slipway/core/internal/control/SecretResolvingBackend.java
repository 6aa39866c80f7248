package dev.slipway.core.internal.control;

import dev.slipway.core.model.HealthCheckConfiguration;
import dev.slipway.core.spi.AdoptedInstance;
import dev.slipway.core.spi.BackendCapabilities;
import dev.slipway.core.build.BuildFailedException;
import dev.slipway.core.spi.BuildListener;
import dev.slipway.core.spi.ComputeBackend;
import dev.slipway.core.spi.InstanceHandle;
import dev.slipway.core.spi.InstanceListener;
import dev.slipway.core.spi.InstanceSpec;
import dev.slipway.core.spi.InstanceUsage;
import dev.slipway.core.spi.PreparedRevision;
import dev.slipway.core.spi.RevisionSpec;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The backend as the reconcilers start instances with it: each start gets its revision's secrets resolved
 * ({@link SecretStore#resolve}: a secret's or parameter's ARN becomes its value, as the deployment pinned it), so the
 * values reach the instance's environment and nothing else; the revision as stored keeps the references.
 */
final class SecretResolvingBackend implements ComputeBackend {
    private final ComputeBackend backend;
    private final UnaryOperator<String> resolve;

    SecretResolvingBackend(ComputeBackend backend, UnaryOperator<String> resolve) {
        this.backend = backend;
        this.resolve = resolve;
    }

    private PreparedRevision resolved(PreparedRevision revision) {
        Map<String, String> secrets = revision.run().secrets();
        if (secrets.isEmpty()) {
            return revision;
        }
        Map<String, String> values = new LinkedHashMap<>();
        secrets.forEach((name, reference) -> {
            try {
                values.put(name, resolve.apply(reference));
            } catch (RuntimeException e) {
                throw new IllegalStateException("the secret " + name + " cannot be read: " + e.getMessage(), e);
            }
        });
        return new PreparedRevision(revision.serviceId(), revision.revisionId(), revision.location(), revision.attributes(),
                new dev.slipway.core.spi.RunConfiguration(revision.run().startCommand(), revision.run().port(),
                        revision.run().portEnv(), revision.run().env(), values, revision.run().resources()));
    }

    @Override
    public String name() {
        return backend.name();
    }

    @Override
    public BackendCapabilities capabilities() {
        return backend.capabilities();
    }

    @Override
    public PreparedRevision prepare(RevisionSpec spec, BuildListener listener) throws BuildFailedException {
        return backend.prepare(spec, listener);
    }

    @Override
    public InstanceHandle start(PreparedRevision revision, InstanceSpec spec, InstanceListener listener) {
        return backend.start(resolved(revision), spec, listener);
    }

    @Override
    public InstanceHandle start(PreparedRevision revision, InstanceSpec spec, HealthCheckConfiguration healthCheck,
                                InstanceListener listener) {
        return backend.start(resolved(revision), spec, healthCheck, listener);
    }

    @Override
    public void stop(InstanceHandle instance, Duration grace) {
        backend.stop(instance, grace);
    }

    @Override
    public Optional<InstanceUsage> usage(InstanceHandle instance) {
        return backend.usage(instance);
    }

    @Override
    public void discard(PreparedRevision revision) {
        backend.discard(revision);
    }

    @Override
    public void forgetService(String serviceId) {
        backend.forgetService(serviceId);
    }

    @Override
    public List<AdoptedInstance> adopt(String controlPlaneId) {
        return backend.adopt(controlPlaneId);
    }

    @Override
    public void attach(InstanceHandle instance, InstanceListener listener) {
        backend.attach(instance, listener);
    }

    @Override
    public int reapOrphans() {
        return backend.reapOrphans();
    }

    @Override
    public void close() {
        backend.close();
    }
}
