package dev.slipway.core.internal.control;

import dev.slipway.core.events.AppRunnerEvent;

import dev.slipway.core.model.OperationStatus;
import dev.slipway.core.model.OperationSummary;
import dev.slipway.core.model.OperationType;
import dev.slipway.core.model.ServiceStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The events a saved change of a service makes, from its state before and after: its status moved (a "Service Status
 * Change"), an operation started or ended (a "Service Operation Status Change" with the guide's status code and
 * message). Nothing else makes an event, so each change is reported once.
 */
final class ServiceEvents {
    private ServiceEvents() {
    }

    /**
     * A service as events see it: its name, id, ARN, status and operations, its domains, and whether the update in
     * progress changes its source (a new application, not only a new configuration).
     */
    record State(String name, String id, String arn, ServiceStatus status, List<OperationSummary> operations,
                 List<Domain> domains, boolean newApplication) {
    }

    /** A custom domain as events see it: its status, and its certificate (chain, end) if it has one. */
    record Domain(String name, dev.slipway.core.model.CustomDomainAssociationStatus status, Optional<String> chain,
                  Optional<Instant> notAfter) {
    }

    /** The events of a saved change: the services {@code staged} (by ARN; null: removed) against their {@code published} versions. */
    static List<AppRunnerEvent> of(Map<String, ServiceRecord> published, Map<String, ServiceRecord> staged, String account,
                                   String region) {
        List<AppRunnerEvent> events = new ArrayList<>();
        Instant now = Instant.now();
        staged.forEach((arn, after) -> {
            ServiceRecord before = published.get(arn);
            boolean eventless = before != null && after != null && before.status() == after.status()
                    && before.operations().equals(after.operations()) && before.domains().equals(after.domains());
            if ((before != null || after != null) && !eventless) { // most changes (a revision, tags, a secret) make none
                events.addAll(of(Optional.ofNullable(before).map(ServiceEvents::state), Optional.ofNullable(after).map(ServiceEvents::state),
                        account, region, now));
            }
        });
        return events;
    }

    static State state(ServiceRecord s) {
        return new State(s.name(), s.id(), s.arn(), s.status(), s.operations().stream().map(OperationState::summary).toList(),
                s.domains().stream().map(d -> new Domain(d.name(), d.status(),
                        d.certificate().map(dev.slipway.core.tls.IssuedCertificate::certificateChainPem),
                        d.certificate().map(dev.slipway.core.tls.IssuedCertificate::notAfter))).toList(),
                s.rollback().map(previous -> !previous.source().equals(s.spec().source())).orElse(false));
    }

    /** The events of the change from {@code before} (empty: created) to {@code after} (empty: deleted). */
    static List<AppRunnerEvent> of(Optional<State> before, Optional<State> after, String account, String region,
                                          Instant now) {
        List<AppRunnerEvent> events = new ArrayList<>();
        State s = after.or(() -> before).orElseThrow();
        Map<String, OperationSummary> old = new LinkedHashMap<>();
        before.ifPresent(b -> b.operations().forEach(o -> old.put(o.id(), o)));
        List<OperationSummary> ops = new ArrayList<>(after.map(State::operations).orElse(List.of()));
        java.util.Collections.reverse(ops); // oldest first
        for (OperationSummary op : ops) {
            OperationSummary was = old.get(op.id());
            if (was == null || was.status() != op.status()) {
                operationEvent(op.type(), op.status()).ifPresent(code -> events.add(operation(s, code,
                        code.equals("UpdateServiceCompletedSuccessfully") && before.isPresent() && !before.get().newApplication()
                                ? CONFIGURATION_UPDATED : message(code), account, region, now)));
                // a deployment or update that failed on a running service: the previous revision serves on
                if (op.status() == OperationStatus.FAILED && after.get().status() == ServiceStatus.RUNNING
                        && (op.type() == OperationType.START_DEPLOYMENT || op.type() == OperationType.UPDATE_SERVICE)) {
                    events.add(slipway(AppRunnerEvent.DEPLOYMENT_ROLLED_BACK, s, Map.of("Operation", op.type().name(),
                            "OperationId", op.id(), "Message", "The " + (op.type() == OperationType.UPDATE_SERVICE ? "update"
                                    : "deployment") + " failed; the previous revision keeps serving.", "Severity", "WARNING"),
                            account, region, now));
                }
            }
        }
        after.ifPresent(a -> certificateEvents(before, a, account, region, now, events));
        ServiceStatus previous = before.map(State::status).orElse(null);
        ServiceStatus current = after.map(State::status).orElse(ServiceStatus.DELETED);
        if (after.isEmpty()) { // deleted: its delete operation ended with the record
            before.get().operations().stream().filter(o -> o.type() == OperationType.DELETE_SERVICE
                    && o.status() == OperationStatus.IN_PROGRESS).findFirst()
                    .ifPresent(o -> events.add(operation(s, "DeleteServiceCompletedSuccessfully",
                            message("DeleteServiceCompletedSuccessfully"), account, region, now)));
        }
        if (previous != null && previous != current) {
            Map<String, String> detail = new LinkedHashMap<>();
            detail.put("PreviousStatus", previous.name());
            detail.put("CurrentStatus", current.name());
            detail.put("ServiceName", s.name());
            detail.put("ServiceId", s.id());
            detail.put("Message", "Service status is set to " + current.name() + ".");
            detail.put("Severity", current.name().endsWith("FAILED") ? "ERROR" : "INFO");
            events.add(AppRunnerEvent.of(AppRunnerEvent.SERVICE_STATUS_CHANGE, account, region, now, s.arn(), detail));
        }
        return events;
    }

    /** A domain's certificate issued (its domain ACTIVE with one), renewed (another one), or not issued (CREATE_FAILED). */
    private static void certificateEvents(Optional<State> before, State after, String account, String region, Instant now,
                                          List<AppRunnerEvent> events) {
        Map<String, Domain> was = new LinkedHashMap<>();
        before.ifPresent(b -> b.domains().forEach(d -> was.put(d.name(), d)));
        for (Domain d : after.domains()) {
            Domain old = was.get(d.name());
            String status = null;
            String message = null;
            boolean active = d.status() == dev.slipway.core.model.CustomDomainAssociationStatus.ACTIVE;
            boolean wasActive = old != null && old.status() == dev.slipway.core.model.CustomDomainAssociationStatus.ACTIVE;
            if (active && d.chain().isPresent() && (!wasActive || !old.chain().equals(d.chain()))) {
                boolean renewed = wasActive && old.chain().isPresent();
                status = renewed ? "CertificateRenewed" : "CertificateIssued";
                message = "The certificate of " + d.name() + " was " + (renewed ? "renewed" : "issued") + "; valid until "
                        + d.notAfter().get() + ".";
            } else if (d.status() == dev.slipway.core.model.CustomDomainAssociationStatus.CREATE_FAILED
                    && (old == null || old.status() != d.status())) {
                status = "CertificateFailed";
                message = "The certificate of " + d.name() + " could not be issued; see the service's events.";
            }
            if (status != null) {
                events.add(slipway(AppRunnerEvent.CERTIFICATE_STATUS_CHANGE, after, Map.of("DomainName", d.name(),
                        "Status", status, "Message", message, "Severity", status.equals("CertificateFailed") ? "ERROR" : "INFO"),
                        account, region, now));
            }
        }
    }

    /** One of Slipway's own events about {@code s}: its name and id, then {@code fields}. */
    static AppRunnerEvent slipway(String detailType, State s, Map<String, String> fields, String account, String region, Instant now) {
        Map<String, String> detail = new LinkedHashMap<>();
        detail.put("ServiceName", s.name());
        detail.put("ServiceId", s.id());
        new java.util.TreeMap<>(fields).forEach(detail::put);
        return AppRunnerEvent.of(AppRunnerEvent.SLIPWAY_SOURCE, detailType, account, region, now, s.arn(), detail);
    }

    /** The guide's status code of an operation of {@code type} reaching {@code status}, if it has one. */
    static Optional<String> operationEvent(OperationType type, OperationStatus status) {
        String prefix = switch (type) {
            case CREATE_SERVICE -> "CreateService";
            case DELETE_SERVICE -> "DeleteService";
            case UPDATE_SERVICE -> "UpdateService";
            case START_DEPLOYMENT -> "Deployment";
            case PAUSE_SERVICE -> "PauseService";
            case RESUME_SERVICE -> "ResumeService";
        };
        return switch (status) {
            case IN_PROGRESS -> Optional.of(prefix + "Started");
            case SUCCEEDED -> Optional.of(prefix + "CompletedSuccessfully");
            case FAILED, ROLLBACK_FAILED, ROLLBACK_SUCCEEDED -> Optional.of(prefix + "Failed");
            default -> Optional.empty();
        };
    }

    /** The guide's message of each status code. */
    static String message(String code) {
        return switch (code) {
            case "CreateServiceStarted" -> "Service creation started.";
            case "CreateServiceCompletedSuccessfully" -> "Service creation completed successfully.";
            case "CreateServiceFailed" -> "Service creation failed. For details, see service logs.";
            case "DeleteServiceStarted" -> "Service deletion started.";
            case "DeleteServiceCompletedSuccessfully" -> "Service deletion completed successfully.";
            case "DeleteServiceFailed" -> "Service deletion failed.";
            case "UpdateServiceStarted" -> "Service update started.";
            case "UpdateServiceCompletedSuccessfully" -> "Service update completed successfully. New application and configuration is deployed.";
            case "UpdateServiceFailed" -> "Service update failed. For details, see service logs.";
            case "DeploymentStarted" -> "Deployment started.";
            case "DeploymentCompletedSuccessfully" -> "Deployment completed successfully.";
            case "DeploymentFailed" -> "Deployment failed. For details, see service logs.";
            case "PauseServiceStarted" -> "Service pause started.";
            case "PauseServiceCompletedSuccessfully" -> "Service pause completed successfully.";
            case "PauseServiceFailed" -> "Service pause failed.";
            case "ResumeServiceStarted" -> "Service resume started.";
            case "ResumeServiceCompletedSuccessfully" -> "Service resume completed successfully.";
            case "ResumeServiceFailed" -> "Service resume failed.";
            default -> throw new IllegalArgumentException(code);
        };
    }

    /** The guide's second message of UpdateServiceCompletedSuccessfully: an update of the configuration alone. */
    static final String CONFIGURATION_UPDATED = "Service update completed successfully. New configuration is deployed.";

    private static AppRunnerEvent operation(State s, String code, String message, String account, String region, Instant now) {
        Map<String, String> detail = new LinkedHashMap<>();
        detail.put("Status", code);
        detail.put("ServiceName", s.name());
        detail.put("ServiceId", s.id());
        detail.put("Message", message);
        detail.put("Severity", code.endsWith("Failed") ? "ERROR" : "INFO");
        return AppRunnerEvent.of(AppRunnerEvent.OPERATION_STATUS_CHANGE, account, region, now, s.arn(), detail);
    }
}
