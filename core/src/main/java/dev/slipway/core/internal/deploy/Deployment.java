package dev.slipway.core.internal.deploy;

import dev.slipway.core.Timeouts;
import dev.slipway.core.build.BuildPlan;
import dev.slipway.core.build.PlanOverrides;
import dev.slipway.core.internal.runtime.ServiceReconciler;
import dev.slipway.core.model.HealthCheckConfiguration;
import dev.slipway.core.model.SourceConfiguration;
import dev.slipway.core.source.FetchedSource;
import dev.slipway.core.source.HostKeyPins;
import dev.slipway.core.source.RepositoryCredential;
import dev.slipway.core.source.SourceFetcher;
import dev.slipway.core.spi.ComputeBackend;
import dev.slipway.core.spi.PreparedRevision;
import dev.slipway.core.spi.Resources;
import dev.slipway.core.source.SourceUrlPolicy;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * One run of a {@link DeploymentPipeline}: what it was given, and what its steps found so far (the fetched source, the
 * build plan, the new revision, the change it handed the reconciler).
 */
public final class Deployment {
    /**
     * What a deployment works on.
     *
     * @param pin the commit of the branch (source) or the digest of the tag (image) to deploy, when a push named it;
     *            else the branch's head or the tag's image as they are now
     * @param http2 the service's tag {@code slipway:http2} is {@code true}: its app speaks HTTP/2 cleartext
     * @param rollout how traffic moves to the new revision, and its tag (the service's {@code slipway:} tags)
     * @param egress  the networks and egress rules of the service's VPC connector, or the default
     */
    public record Target(String serviceName, String serviceId, SourceConfiguration source, PlanOverrides overrides,
                         boolean workingTrees, Path registryCredentials, Resources resources, int instances, Optional<PreparedRevision> current,
                         String messageUntilServing, HealthCheckConfiguration healthCheck, int maxConcurrency,
                         SourceUrlPolicy sourceUrlPolicy, Optional<String> pin, Map<String, String> instanceCredentials,
                         java.util.function.UnaryOperator<String> pinSecret, boolean http2, Rollout rollout,
                         dev.slipway.core.spi.Egress egress) {
    }

    /** The connection a source is fetched with, and a callback when it pinned a new SSH host key. */
    public record Access(Optional<RepositoryCredential> credential, HostKeyPins hostKeys, Runnable hostKeysChanged) {
        public static final Access NONE = new Access(Optional.empty(), new HostKeyPins(java.util.Map.of()), () -> { });
    }

    final Target target;
    final Access access;
    final ComputeBackend backend;
    final ServiceReconciler reconciler;
    final DeploymentLog log;
    final Path checkout;
    final Timeouts timeouts;
    final String revisionId;
    FetchedSource fetched;
    BuildPlan plan;
    PreparedRevision revision;
    private boolean rolledBack;
    private Rollout rollout;
    /** The reconciler's change this deployment made, until it is done ({@link #NO_CHANGE}: nothing to roll back). */
    volatile long change = NO_CHANGE;
    static final long NO_CHANGE = -1;

    public Deployment(Target target, Access access, ComputeBackend backend, ServiceReconciler reconciler,
                      DeploymentLog log, Path workDir, Timeouts timeouts) {
        this.target = target;
        this.access = access;
        this.backend = backend;
        this.reconciler = reconciler;
        this.log = log;
        this.timeouts = timeouts;
        this.revisionId = "r" + System.currentTimeMillis() + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        this.checkout = workDir.resolve(target.serviceId()).resolve(revisionId);
        this.rollout = target.rollout();
        this.revision = target.current().map(r -> speaking(r.withResources(target.resources())
                .withInstanceCredentials(target.instanceCredentials()))).orElse(null);
    }

    public DeploymentLog log() {
        return log;
    }

    /** How this deployment moves traffic to its revision. */
    public Rollout rollout() {
        return rollout;
    }

    /** Traffic moves at once (a resume, a restart: nothing else serves), the revision's tag kept. */
    public void atOnce() {
        rollout = new Rollout(Rollout.ALL_AT_ONCE.steps(), Rollout.ALL_AT_ONCE.pause(), Rollout.ALL_AT_ONCE.max5xxPercent(), rollout.tag());
    }

    /** The revision serving once the deployment succeeded. */
    public Optional<PreparedRevision> revision() {
        return Optional.ofNullable(revision);
    }

    /**
     * The revision a build step made. A step that gave up (its timeout) may still end later, after the rollback: its
     * revision is then discarded at once, so nothing it made outlives the deployment.
     */
    synchronized void built(PreparedRevision r) {
        if (rolledBack) {
            backend.discard(r);
            throw new IllegalStateException("the deployment was rolled back before revision " + r.revisionId() + " was ready");
        }
        // a secret reference names the version current now: a rotation reaches instances at the next deployment
        Map<String, String> pinned = new java.util.LinkedHashMap<>();
        r.run().secrets().forEach((name, reference) -> pinned.put(name, target.pinSecret().apply(reference)));
        revision = speaking(r.withSecrets(pinned).withInstanceCredentials(target.instanceCredentials()));
    }

    /**
     * The revision, marked as speaking HTTP/2 cleartext when its apprunner.yaml or the service's tag says so, with the
     * tag the service's {@code slipway:revision-tag} gives it, and its instances with the service's egress.
     */
    private PreparedRevision speaking(PreparedRevision r) {
        boolean http2 = target.http2() || plan != null && plan.http2();
        PreparedRevision marked = (http2 && !r.http2() ? r.withAttribute(PreparedRevision.PROTOCOL, PreparedRevision.H2C) : r)
                .withEgress(target.egress());
        return target.rollout().tag().map(t -> marked.withAttribute(PreparedRevision.TAG, t)).orElse(marked);
    }

    /** After a failed step: the previous desired state comes back, and a new revision nobody serves is discarded. */
    synchronized void rollBack() {
        rolledBack = true;
        if (change != NO_CHANGE) {
            reconciler.rollBack(change, log);
        }
        if (revision != null && target.current().map(c -> !c.revisionId().equals(revision.revisionId())).orElse(true)) {
            backend.discard(revision);
        }
    }

    void cleanUp() {
        SourceFetcher.deleteTree(checkout);
        SourceFetcher.deleteTree(checkout.resolveSibling(checkout.getFileName() + "-ssh"));
    }
}
