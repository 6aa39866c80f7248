package dev.slipway.core.internal.deploy;

import dev.slipway.core.build.BuildFailedException;
import dev.slipway.core.build.BuildPlans;
import dev.slipway.core.internal.runtime.DesiredState;
import dev.slipway.core.internal.runtime.ReconcilerStatus.Milestone;
import dev.slipway.core.model.CodeRepository;
import dev.slipway.core.model.ConfigurationSource;
import dev.slipway.core.model.HealthCheckProtocol;
import dev.slipway.core.source.RegistryCredentials;
import dev.slipway.core.source.Registries;
import dev.slipway.core.spi.PreparedRevision;
import dev.slipway.core.source.SourceFetcher;
import dev.slipway.core.spi.BuildListener;
import dev.slipway.core.spi.RegistryLogin;
import dev.slipway.core.spi.RevisionSource;
import dev.slipway.core.spi.RevisionSpec;
import dev.slipway.core.spi.RunConfiguration;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** The steps deployments are made of, each doing one thing and writing what it did to the deployment log. */
public final class DeploymentSteps {
    private DeploymentSteps() {
    }

    /** Clones the branch (or copies the directory) and narrows it to the SourceDirectory. */
    public static final DeploymentStep FETCH_SOURCE = new DeploymentStep.Work() {
        @Override
        public String title(Deployment d) {
            return "Pulling source code from " + code(d).repositoryUrl();
        }

        @Override
        public void run(Deployment d) throws BuildFailedException {
            java.util.Optional<String> refused = d.target.sourceUrlPolicy().problem(code(d).repositoryUrl());
            if (refused.isPresent()) { // checked when the service was created too; a host name may resolve elsewhere now
                throw new BuildFailedException("RepositoryUrl " + code(d).repositoryUrl() + ": " + refused.get());
            }
            Duration idle = d.timeouts.step().compareTo(SourceFetcher.DEFAULT_IDLE_TIMEOUT) < 0 ? d.timeouts.step() : SourceFetcher.DEFAULT_IDLE_TIMEOUT;
            d.fetched = new SourceFetcher(d.target.workingTrees(), idle).fetch(code(d), d.access.credential(), d.access.hostKeys(),
                    d.checkout, d.target.pin(), d.log::line);
            if (d.access.credential().isPresent()) {
                d.access.hostKeysChanged().run(); // keeps a newly pinned SSH host key
            }
        }
    };

    /** Reads apprunner.yaml (ConfigurationSource REPOSITORY) or takes CodeConfigurationValues (API). */
    public static final DeploymentStep RESOLVE_BUILD_PLAN = new DeploymentStep.Work() {
        @Override
        public String title(Deployment d) {
            CodeRepository code = code(d);
            return "Reading the build configuration (" + (code.codeConfiguration() == null ? ConfigurationSource.REPOSITORY
                    : code.codeConfiguration().configurationSource()) + ")";
        }

        @Override
        public void run(Deployment d) throws BuildFailedException {
            d.plan = d.target.overrides().apply(BuildPlans.resolve(code(d).codeConfiguration(), d.fetched.root()));
            if (!d.target.overrides().isEmpty()) {
                d.log.line("Overridden by this Slipway: " + d.target.overrides().describe());
            }
            d.log.line("Runtime " + d.plan.runtime() + d.plan.runtimeVersion().map(v -> " " + v).orElse("")
                    + ", start command: " + d.plan.startCommand());
        }
    };

    /** Runs the build commands into a new revision. */
    public static final DeploymentStep BUILD = new DeploymentStep.Work() {
        @Override
        public String title(Deployment d) {
            int n = d.plan.allBuildCommands().size();
            return "Building the application (" + n + " command" + (n == 1 ? "" : "s") + ")";
        }

        @Override
        public void run(Deployment d) throws BuildFailedException {
            RunConfiguration run = new RunConfiguration(Optional.of(d.plan.startCommand()), d.plan.port(), d.plan.portEnv(),
                    d.plan.runEnv(), d.plan.runSecrets(), d.target.resources());
            PreparedRevision built = d.backend.prepare(new RevisionSpec(d.target.serviceName(), d.target.serviceId(), d.revisionId,
                    new RevisionSource.Build(d.fetched.root(), d.plan), run), listener(d));
            // the commit it was built from, which an automatic deployment compares a push with
            d.built(d.fetched.commitId().filter(c -> !d.fetched.localChanges())
                    .map(c -> built.withAttribute(PreparedRevision.COMMIT, c)).orElse(built));
            d.log.line("Build succeeded" + d.fetched.commitId().map(c -> " for commit " + c
                    + (d.fetched.localChanges() ? " with local changes" : "")).orElse(""));
        }
    };

    /** Pulls a container image into a new revision. */
    public static final DeploymentStep PULL_IMAGE = new DeploymentStep.Work() {
        @Override
        public String title(Deployment d) {
            return "Pulling image " + d.target.source().imageRepository().imageIdentifier()
                    + d.target.pin().map(p -> " at " + p).orElse("");
        }

        @Override
        public void run(Deployment d) throws BuildFailedException {
            var image = d.target.source().imageRepository();
            var config = image.imageConfiguration();
            RunConfiguration run = new RunConfiguration(
                    Optional.ofNullable(config == null ? null : config.startCommand()),
                    config == null || config.port() == null ? dev.slipway.core.build.BuildPlan.DEFAULT_PORT : Integer.parseInt(config.port()),
                    Optional.empty(), config == null || config.runtimeEnvironmentVariables() == null ? Map.of() : config.runtimeEnvironmentVariables(),
                    config == null || config.runtimeEnvironmentSecrets() == null ? Map.of() : config.runtimeEnvironmentSecrets(),
                    d.target.resources());
            var auth = d.target.source().authenticationConfiguration();
            Optional<RegistryLogin> login = Optional.empty();
            if (auth != null && auth.accessRoleArn() != null) {
                login = Optional.of(RegistryCredentials.forRole(d.target.registryCredentials(), auth.accessRoleArn()));
                d.log.line("Pulling with the registry login of AccessRoleArn " + auth.accessRoleArn());
            }
            // a push named the digest: exactly that image, whatever the tag points to by now
            String identifier = d.target.pin().map(digest -> Registries.Ref.parse(image.imageIdentifier()).withReference(digest))
                    .orElse(image.imageIdentifier());
            d.built(d.backend.prepare(new RevisionSpec(d.target.serviceName(), d.target.serviceId(), d.revisionId,
                    new RevisionSource.Image(identifier, login), run), listener(d)));
            d.log.line("Image ready");
        }
    };

    /** Hands the reconciler the new revision (a new generation, beside the serving one) until it is ready. */
    public static final DeploymentStep START_INSTANCES = new DeploymentStep() {
        @Override
        public String title(Deployment d) {
            int n = d.target.instances();
            return "Starting " + n + " instance" + (n == 1 ? "" : "s") + " of revision " + d.revision.revisionId();
        }

        @Override
        public CompletableFuture<Void> start(Deployment d, Executor work) {
            var hc = d.target.healthCheck().withDefaults();
            d.change = d.reconciler.deploy(d.revision, d.target.instances(), d.target.messageUntilServing(), hc,
                    d.target.maxConcurrency(), d.rollout().traffic(0), d.log);
            d.log.line("Waiting for " + hc.protocol() + " health checks" + (hc.protocol() == HealthCheckProtocol.HTTP
                    ? " of " + hc.path() : "") + " to pass (healthy threshold " + hc.healthyThreshold() + ")");
            int n = d.target.instances();
            return DeploymentStep.within(d.reconciler.await(d.change, Milestone.REVISION_READY),
                    d.timeouts.startup().plus(Duration.ofMinutes(1)), "the new instances to become healthy")
                    .thenRun(() -> d.log.line("Health checks are passing on all " + n + " new instance" + (n == 1 ? "" : "s")));
        }
    };

    /**
     * A progressive deployment: the new revision took its first share of the traffic once ready; each pause it is
     * watched (its instances' health, and the router's count of its 5xx answers), then it takes the next share, up to
     * the last but one; a failure rolls the deployment back at once, the previous revision taking all the traffic again.
     */
    public static final DeploymentStep SHIFT_TRAFFIC = new DeploymentStep() {
        @Override
        public String title(Deployment d) {
            Rollout r = d.rollout();
            return "Moving traffic to revision " + d.revision.revisionId() + " in steps of "
                    + r.steps().stream().map(p -> p + " %").collect(java.util.stream.Collectors.joining(", ")) + ", " + r.pause().toSeconds()
                    + " s apart (rolled back if its 5xx answers pass " + r.max5xxPercent() + " %)";
        }

        @Override
        public Duration bound(Deployment d) {
            return d.timeouts.step().plus(d.rollout().pause().multipliedBy(d.rollout().steps().size()));
        }

        @Override
        public CompletableFuture<Void> start(Deployment d, Executor work) {
            Rollout r = d.rollout();
            d.log.line(share(d, r.steps().get(0)));
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (int i = 1; i < r.steps().size(); i++) {
                int step = i;
                chain = chain.thenCompose(x -> watched(d, r.pause())).thenRun(() -> {
                    if (step < r.steps().size() - 1) {
                        d.log.line(share(d, r.steps().get(step)));
                    }
                    d.reconciler.shift(d.change, r.traffic(step));
                });
            }
            return chain;
        }

        private static String share(Deployment d, int percent) {
            return "Traffic: " + percent + " % to revision " + d.revision.revisionId() + ", " + (100 - percent)
                    + " % to the previous one" + d.revision.tag().map(t -> " (" + t + "--<service's domain> reaches the new one)").orElse("");
        }

        /** Completes after {@code pause}; fails as soon as the new revision's 5xx share or health says it should not go on. */
        private static CompletableFuture<Void> watched(Deployment d, Duration pause) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            d.reconciler.await(d.change, Milestone.OLD_REVISION_DRAINED).whenComplete((ok, failed) -> {
                if (failed != null) {
                    done.completeExceptionally(failed); // one of its instances failed: the rollout failed
                }
            });
            poll(d, System.nanoTime() + pause.toNanos(), done);
            return done;
        }

        private static void poll(Deployment d, long end, CompletableFuture<Void> done) {
            if (done.isDone()) {
                return;
            }
            java.util.Optional<String> failure = d.reconciler.canaryFailure();
            if (failure.isPresent()) {
                done.completeExceptionally(new BuildFailedException(failure.get()));
                return;
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                done.complete(null);
                return;
            }
            CompletableFuture.delayedExecutor(Math.min(left, POLL.toNanos()), java.util.concurrent.TimeUnit.NANOSECONDS)
                    .execute(() -> poll(d, end, done));
        }
    };

    /** How often a progressive step reads the router's count of the new revision's answers. */
    private static final Duration POLL = Duration.ofMillis(50);

    /** Traffic goes to the new instances, atomically. */
    public static final DeploymentStep SWITCH_TRAFFIC = new DeploymentStep() {
        @Override
        public String title(Deployment d) {
            return "Traffic switched to revision " + d.revision.revisionId();
        }

        @Override
        public CompletableFuture<Void> start(Deployment d, Executor work) {
            return DeploymentStep.within(d.reconciler.await(d.change, Milestone.TRAFFIC_SWITCHED), Duration.ofMinutes(1), "traffic to switch");
        }
    };

    /** The previous instances finish their requests and stop; a previous revision nobody runs is discarded. */
    public static final DeploymentStep DRAIN_OLD = new DeploymentStep() {
        @Override
        public String title(Deployment d) {
            return "Draining and stopping the previous instances";
        }

        @Override
        public CompletableFuture<Void> start(Deployment d, Executor work) {
            return drained(d, d.change).thenRunAsync(() -> {
                d.change = Deployment.NO_CHANGE; // nothing to roll back any more
                d.target.current().filter(c -> !c.revisionId().equals(d.revision.revisionId())).ifPresent(d.backend::discard);
            }, work);
        }
    };

    /** Answers 503, drains requests in flight, stops every instance; the revision is kept for ResumeService. */
    public static final DeploymentStep PAUSE = new DeploymentStep() {
        @Override
        public String title(Deployment d) {
            return "Pausing: answering 503, draining requests in flight, stopping instances";
        }

        @Override
        public CompletableFuture<Void> start(Deployment d, Executor work) {
            return drained(d, d.reconciler.stopServing(DesiredState.Mode.PAUSED, "", d.log));
        }
    };

    /** Removes the route, drains requests in flight, stops every instance and discards the revision. */
    public static final DeploymentStep DELETE = new DeploymentStep() {
        @Override
        public String title(Deployment d) {
            return "Deleting: removing the route, draining requests in flight, stopping instances";
        }

        @Override
        public CompletableFuture<Void> start(Deployment d, Executor work) {
            return drained(d, d.reconciler.stopServing(DesiredState.Mode.DELETED, "", d.log)).thenRunAsync(() -> {
                d.target.current().ifPresent(d.backend::discard);
                d.backend.forgetService(d.target.serviceId());
                d.revision = null;
            }, work);
        }
    };

    private static CompletableFuture<Void> drained(Deployment d, long change) {
        Duration bound = d.timeouts.drain().plus(d.timeouts.stopGrace()).plus(Duration.ofSeconds(30));
        return DeploymentStep.within(d.reconciler.await(change, Milestone.OLD_REVISION_DRAINED), bound,
                "the previous instances to drain and stop");
    }

    private static CodeRepository code(Deployment d) {
        return d.target.source().codeRepository();
    }

    private static BuildListener listener(Deployment d) {
        var build = d.log.build();
        return new BuildListener() {
            @Override
            public void output(String line) {
                build.line(line);
            }

            @Override
            public void progress(String step, int index, int total) {
                d.log.line("Build step " + index + " of " + total + ": " + step);
            }
        };
    }
}
