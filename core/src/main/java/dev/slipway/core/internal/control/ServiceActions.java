package dev.slipway.core.internal.control;

import dev.slipway.core.api.*;
import dev.slipway.core.build.BuildFailedException;
import dev.slipway.core.internal.deploy.Deployment;
import dev.slipway.core.internal.deploy.DeploymentLog;
import dev.slipway.core.internal.deploy.DeploymentPipeline;
import dev.slipway.core.internal.runtime.DesiredState;
import dev.slipway.core.internal.runtime.ServiceReconciler;
import dev.slipway.core.internal.lifecycle.ServiceAction;
import dev.slipway.core.internal.lifecycle.ServiceLifecycle;
import dev.slipway.core.model.*;
import dev.slipway.core.observe.LogSink;
import dev.slipway.core.validation.ShapeValidator;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The service actions of the API: each validates its request, checks the status machine, records the change and an
 * operation in {@link ControlState}, and runs the operation's {@link DeploymentPipeline} against the service's
 * {@link ServiceReconciler}.
 */
public final class ServiceActions implements AutoCloseable {
    private static final ShapeValidator VALIDATOR = ShapeValidator.instance();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ServiceActions.class);

    private final ControlState state;
    private final ServiceRuntime runtime;
    private final OperationRunner runner;
    private final ServiceUrls urls = new ServiceUrls();
    private final ServiceSettings settings;
    private final ServiceReconcilers reconcilers;
    private java.util.function.Consumer<ServiceRecord> onDeleted = s -> { };
    private java.util.function.Consumer<String> onOperationEnded = arn -> { };

    public ServiceActions(ControlState state, ServiceRuntime runtime) {
        this.state = state;
        this.runtime = runtime;
        this.runner = new OperationRunner(runtime.logs());
        this.settings = new ServiceSettings(state, runtime, urls);
        this.reconcilers = new ServiceReconcilers(state, runtime, settings);
    }

    ServiceRuntime runtime() {
        return runtime;
    }

    ServiceSettings settings() {
        return settings;
    }

    ServiceReconcilers reconcilers() {
        return reconcilers;
    }

    /** Where the router serves the services (their ServiceUrl). */
    public ServiceUrls urls() {
        return urls;
    }

    /** Who is told when a service is gone (its custom domains go with it). */
    public void onDeleted(java.util.function.Consumer<ServiceRecord> listener) {
        this.onDeleted = listener;
    }

    public CreateServiceResponse createService(CreateServiceRequest r) {
        VALIDATOR.validate("CreateServiceRequest", r);
        ServiceSpecs.checkSource(r.sourceConfiguration(), "sourceConfiguration", runtime.backend().name(), runtime.backend().capabilities());
        ServiceSpecs.checkLocalSource(r.sourceConfiguration(), "sourceConfiguration", runtime.allowedSourceDirectories());
        ServiceSpecs.checkSourceUrl(r.sourceConfiguration(), "sourceConfiguration", runtime.sourceUrlPolicy());
        ServiceRecord s = state.write(() -> {
            state.checkNewService(r.serviceName());
            state.connections().usedBy(r.sourceConfiguration());
            String asc = settings.autoScalingArn(r.autoScalingConfigurationArn());
            ServiceObservabilityConfiguration observability = settings.observability(r.observabilityConfiguration());
            String id = runtime.newServiceId(r.serviceName());
            String host = r.serviceName().toLowerCase(Locale.ROOT).replace('_', '-') + "-" + id.substring(0, 6) + "." + runtime.baseDomain();
            String arn = state.arns.service(r.serviceName(), id);
            Instant now = Instant.now();
            ServiceRecord created = new ServiceRecord(r.serviceName(), id, arn, host, now, now, ServiceStatus.OPERATION_IN_PROGRESS,
                    false, ServiceSpecs.forCreate(r, asc, observability), r.encryptionConfiguration(), Optional.empty(),
                    List.of(OperationState.started(OperationType.CREATE_SERVICE, arn)), Optional.empty(),
                    Tags.merged(arn, Map.of(), r.tags()), List.of(), Optional.empty());
            ServiceExtensions.check(created.tags(), host);
            Networking.check(r.networkConfiguration(), state, runtime.backend().name(), runtime.backend().capabilities());
            state.put(created);
            return created;
        });
        settings.trace(s);
        settings.encryptLogs(s);
        networkChanged.run();
        String creating = "Service " + s.name() + " is being created. Try again when its status is RUNNING.";
        reconcilers.of(s).converge(DesiredState.notServing(DesiredState.Mode.UNAVAILABLE, Optional.empty(), creating,
                s.spec().health(), AutoScalingConfiguration.DEFAULT_MAX_CONCURRENCY), LogSink.DISCARD);
        OperationRecord op = state.track(s.operations().get(0));
        CreateServiceResponse response = new CreateServiceResponse(describe(s), op.id(), op);
        run(s, op, pipelineFor(s.spec().source()), creating);
        return response;
    }

    public DescribeServiceResponse describeService(DescribeServiceRequest r) {
        VALIDATOR.validate("DescribeServiceRequest", r);
        return new DescribeServiceResponse(describe(r.serviceArn()));
    }

    public ListServicesResponse listServices(ListServicesRequest r) {
        VALIDATOR.validate("ListServicesRequest", r);
        return state.read(() -> {
            List<ServiceSummary> all = state.allServices().stream().map(s -> ServiceSummary.of(settings.describe(s))).toList();
            Pages.Page<ServiceSummary> page = Pages.page(all, r.maxResults(), r.nextToken(), 20);
            return new ListServicesResponse(page.items(), page.nextToken());
        });
    }

    public UpdateServiceResponse updateService(UpdateServiceRequest r) {
        VALIDATOR.validate("UpdateServiceRequest", r);
        record Started(ServiceRecord service, boolean rebuild) {
        }
        Started started = state.write(() -> {
            ServiceRecord s = state.service(r.serviceArn());
            check(s, ServiceAction.UPDATE);
            String asc = r.autoScalingConfigurationArn() != null ? settings.autoScalingArn(r.autoScalingConfigurationArn())
                    : s.spec().autoScalingArn();
            ServiceSpec next = ServiceSpecs.forUpdate(s.spec(), r, asc, settings.observability(r.observabilityConfiguration()));
            if (r.sourceConfiguration() != null) {
                ServiceSpecs.checkSource(next.source(), "sourceConfiguration", runtime.backend().name(), runtime.backend().capabilities());
                ServiceSpecs.checkLocalSource(r.sourceConfiguration(), "sourceConfiguration", runtime.allowedSourceDirectories());
                ServiceSpecs.checkSourceUrl(r.sourceConfiguration(), "sourceConfiguration", runtime.sourceUrlPolicy());
                state.connections().usedBy(next.source());
            }
            Networking.check(r.networkConfiguration(), state, runtime.backend().name(), runtime.backend().capabilities());
            boolean rebuild = !next.source().equals(s.spec().source()) || s.revision().isEmpty();
            // the previous settings are saved with the operation, so a crash mid-update rolls back at the next start
            ServiceRecord updated = s.withSpec(next).startOperation(OperationState.started(OperationType.UPDATE_SERVICE, s.arn()),
                    Optional.of(s.spec()));
            state.put(updated);
            return new Started(updated, rebuild);
        });
        ServiceRecord s = started.service();
        OperationRecord op = state.track(s.operations().get(0));
        UpdateServiceResponse response = new UpdateServiceResponse(describe(s), op.id(), op);
        networkChanged.run();
        run(s, op, started.rebuild() ? pipelineFor(s.spec().source()) : DeploymentPipeline.REDEPLOY, updating(s));
        return response;
    }

    public StartDeploymentResponse startDeployment(StartDeploymentRequest r) {
        VALIDATOR.validate("StartDeploymentRequest", r);
        ServiceRecord s = begin(r.serviceArn(), ServiceAction.START_DEPLOYMENT);
        OperationRecord op = state.track(s.operations().get(0));
        run(s, op, pipelineFor(s.spec().source()), updating(s));
        return new StartDeploymentResponse(op.id(), op);
    }

    /**
     * An automatic deployment (a START_DEPLOYMENT operation, as App Runner shows one) of exactly {@code version}: a
     * commit of the service's branch, or a digest of its image's tag; {@code why} opens its deployment log.
     *
     * @throws dev.slipway.core.InvalidStateException when the service cannot start one now (an operation in progress)
     */
    OperationRecord startAutomaticDeployment(String arn, String version, String why) {
        ServiceRecord s = begin(arn, ServiceAction.START_DEPLOYMENT);
        OperationRecord op = state.track(s.operations().get(0));
        run(s, op, pipelineFor(s.spec().source()), updating(s), Optional.of(version), why);
        return op;
    }

    /** An event for a scaling the autoscaler decided ({@code reason}: its line in the service's events). */
    void scaling(String arn, int from, int to, String reason) {
        state.read(() -> state.find(arn)).ifPresent(s -> state.emit(s, dev.slipway.core.events.AppRunnerEvent.SERVICE_SCALED,
                Map.of("PreviousInstances", Integer.toString(from), "Instances", Integer.toString(to),
                        "Direction", to > from ? "OUT" : "IN", "Message", reason + ".", "Severity", "INFO")));
    }

    /** What private listeners serve follows the services' network settings and deletions. */
    public void onNetworkChanged(Runnable changed, java.util.function.Consumer<String> deleted) {
        this.networkChanged = changed;
        this.serviceDeleted = deleted;
    }

    private volatile Runnable networkChanged = () -> { };
    private volatile java.util.function.Consumer<String> serviceDeleted = arn -> { };

    /** Who is told when an operation of a service ended and its end is saved (a push waiting for it deploys). */
    void onOperationEnded(java.util.function.Consumer<String> listener) {
        this.onOperationEnded = listener;
    }

    public PauseServiceResponse pauseService(PauseServiceRequest r) {
        VALIDATOR.validate("PauseServiceRequest", r);
        ServiceRecord s = begin(r.serviceArn(), ServiceAction.PAUSE);
        OperationRecord op = state.track(s.operations().get(0));
        PauseServiceResponse response = new PauseServiceResponse(describe(s), op.id(), op);
        run(s, op, DeploymentPipeline.PAUSE, updating(s));
        return response;
    }

    public ResumeServiceResponse resumeService(ResumeServiceRequest r) {
        VALIDATOR.validate("ResumeServiceRequest", r);
        ServiceRecord s = begin(r.serviceArn(), ServiceAction.RESUME);
        OperationRecord op = state.track(s.operations().get(0));
        ResumeServiceResponse response = new ResumeServiceResponse(describe(s), op.id(), op);
        run(s, op, DeploymentPipeline.REDEPLOY, "Service " + s.name() + " is resuming. Try again shortly.");
        return response;
    }

    public DeleteServiceResponse deleteService(DeleteServiceRequest r) {
        VALIDATOR.validate("DeleteServiceRequest", r);
        ServiceRecord s = begin(r.serviceArn(), ServiceAction.DELETE);
        Service before = describe(s.arn());
        OperationRecord op = state.track(s.operations().get(0));
        run(s, op, DeploymentPipeline.DELETE, "");
        return new DeleteServiceResponse(before, op.id(), op);
    }

    public ListOperationsResponse listOperations(ListOperationsRequest r) {
        VALIDATOR.validate("ListOperationsRequest", r);
        return state.read(() -> {
            List<OperationSummary> all = state.service(r.serviceArn()).operations().stream().map(OperationState::summary).toList();
            Pages.Page<OperationSummary> page = Pages.page(all, r.maxResults(), r.nextToken(), 20);
            return new ListOperationsResponse(page.items(), page.nextToken());
        });
    }

    /**
     * Sets how many instances a service has (the autoscaler's lever; MinSize sets it at each deployment): running, or
     * while a deployment rolls out, which carries on with this count. Completes once that many serve and the surplus
     * stopped.
     */
    public CompletableFuture<Void> scaleTo(String serviceArn, int instances) {
        ServiceRecord s = state.read(() -> state.service(serviceArn));
        if (s.status() != ServiceStatus.RUNNING && s.status() != ServiceStatus.OPERATION_IN_PROGRESS) {
            throw new dev.slipway.core.InvalidStateException("Cannot scale service " + s.name() + " while its status is " + s.status());
        }
        return reconcilers.get(serviceArn).scaleTo(instances);
    }

    /** A line in a service's events and the server log. */
    void note(ServiceRecord s, String line) {
        runtime.logs().sink(s.name(), "events").line(line);
        LOG.info("service {}: {}", s.name(), line);
    }

    /** Starts a restored running service's revision again: no build, no new operation; maintenance until it serves. */
    void restart(ServiceRecord s) {
        LogSink events = runtime.logs().sink(s.name(), "events");
        runner.background(s.name(), () -> {
            events.line("Slipway restarted: starting revision " + s.revision().orElseThrow().revisionId() + " again (no new deployment)");
            CompletableFuture<Void> started;
            try {
                started = DeploymentPipeline.REDEPLOY.run(deployment(s.arn(), new DeploymentLog(events),
                        "Service " + s.name() + " is starting again after a restart of Slipway. Try again shortly.", Optional.empty()), runner.work());
            } catch (RuntimeException e) {
                started = CompletableFuture.failedFuture(e);
            }
            started.whenComplete((ok, e) -> {
                events.line(e == null ? "Serving again after the restart"
                        : "Could not start the service again after the restart: " + (e.getCause() != null ? e.getCause() : e).getMessage());
                state.writeEventually(() -> state.put(state.service(s.arn()).withMaintenance(false)));
            });
        });
    }

    /** Every reconciler stops its instances (without draining: {@code Slipway.close()} drained the router first). */
    @Override
    public void close() {
        state.close();
        runner.close();
        reconcilers.close();
    }

    /**
     * Discards every service's deployed revision (its workspace, its image), once {@link #close()} stopped their
     * instances: for a control plane that no later run starts on again, so nothing it built outlives it.
     */
    public void discardRevisions() {
        for (ServiceRecord s : state.allServices()) {
            s.revision().ifPresent(r -> {
                try {
                    runtime.backend().discard(r);
                } catch (RuntimeException e) {
                    org.slf4j.LoggerFactory.getLogger(ServiceActions.class).warn("cannot discard revision {} of {}: {}",
                            r.revisionId(), s.name(), e.toString());
                }
            });
        }
    }

    // ---------------------------------------------------------------- helpers

    private ServiceRecord begin(String arn, ServiceAction action) {
        return state.write(() -> {
            ServiceRecord s = state.service(arn);
            check(s, action);
            ServiceRecord started = s.startOperation(OperationState.started(ServiceLifecycle.operationOf(action), arn), Optional.empty());
            state.put(started);
            return started;
        });
    }

    private static void check(ServiceRecord s, ServiceAction action) {
        ServiceLifecycle.check(s.name(), s.status(), s.maintenance(), action);
    }

    private void run(ServiceRecord s, OperationRecord op, DeploymentPipeline pipeline, String messageUntilServing) {
        run(s, op, pipeline, messageUntilServing, Optional.empty(), null);
    }

    private void run(ServiceRecord s, OperationRecord op, DeploymentPipeline pipeline, String messageUntilServing,
                     Optional<String> pin, String why) {
        String arn = s.arn();
        runner.run(s.name(), op, log -> {
            if (why != null) {
                log.line(why);
            }
            if (op.type() == OperationType.RESUME_SERVICE && s.revision().isEmpty()) {
                throw new BuildFailedException("the service has no deployed revision to resume");
            }
            Deployment d = deployment(arn, log, messageUntilServing, pin);
            boolean moves = op.type() == OperationType.START_DEPLOYMENT || op.type() == OperationType.UPDATE_SERVICE;
            if (!moves) {
                d.atOnce(); // nothing else serves (a creation, a resume): nothing to move traffic from
            }
            return (d.rollout().progressive() ? pipeline.progressive() : pipeline).run(d, runner.work()).thenRun(() -> {
                if (op.type() != OperationType.DELETE_SERVICE) {
                    state.writeEventually(() -> state.put(state.service(arn).withRevision(d.revision())));
                }
            });
        }, (after, failure) -> finish(s, op, after, failure));
    }

    private void finish(ServiceRecord s, OperationRecord op, ServiceStatus after, Optional<String> failure) {
        OperationStatus status = failure.isEmpty() ? OperationStatus.SUCCEEDED : OperationStatus.FAILED;
        if (after == ServiceStatus.DELETED) {
            state.writeEventually(() -> state.remove(s.arn()));
            serviceDeleted.accept(s.arn());
            networkChanged.run();
            op.abandon(status, null); // its record is gone with the service
            reconcilers.remove(s.arn());
            runtime.routing().forgetService(s.id());
            runtime.routing().trace(s.host(), false);
            onDeleted.accept(s);
            runtime.logs().closeService(s.name());
            return;
        }
        if (op.type() == OperationType.CREATE_SERVICE && failure.isPresent()) {
            reconcilers.get(s.arn()).stopServing(DesiredState.Mode.UNAVAILABLE,
                    "Service " + s.name() + " failed to be created: see its deployment log.", LogSink.DISCARD);
        }
        state.writeEventually(() -> {
            ServiceRecord current = state.service(s.arn());
            current = current.withOperation(current.operation(op.id()).orElseThrow().ended(status, failure.orElse(null)));
            if (failure.isPresent() && current.rollback().isPresent()) {
                current = current.withSpec(current.rollback().get()); // a failed update changes nothing
            }
            state.put(current.ended(after));
        });
        state.read(() -> state.find(s.arn())).ifPresent(settings::trace);
        if (op.type() == OperationType.UPDATE_SERVICE && failure.isPresent()) {
            networkChanged.run(); // its settings came back
        }
        onOperationEnded.accept(s.arn());
    }

    private Deployment deployment(String arn, DeploymentLog log, String messageUntilServing, Optional<String> pin) {
        int current = reconcilers.desiredCount(arn);
        return state.read(() -> {
            ServiceRecord s = state.service(arn);
            return new Deployment(settings.target(s, current, messageUntilServing, pin), settings.access(s),
                    runtime.backend(), reconcilers.get(arn), log, runtime.sourcesDir(), runtime.timeouts());
        });
    }

    private static String updating(ServiceRecord s) {
        return "Service " + s.name() + " is being deployed. Try again shortly.";
    }

    private static DeploymentPipeline pipelineFor(SourceConfiguration source) {
        return source.codeRepository() != null ? DeploymentPipeline.FROM_SOURCE : DeploymentPipeline.FROM_IMAGE;
    }

    private Service describe(String arn) {
        return state.read(() -> settings.describe(state.service(arn)));
    }

    private Service describe(ServiceRecord s) {
        return state.read(() -> settings.describe(s));
    }
}
