package dev.slipway.core.internal.lifecycle;

import dev.slipway.core.InvalidStateException;
import dev.slipway.core.model.OperationType;
import dev.slipway.core.model.ServiceStatus;
import java.util.Optional;

/**
 * The service status machine, in one place: which actions each status allows (the guide's "When your service is
 * paused", one operation at a time) and which status an operation leads to.
 */
public final class ServiceLifecycle {
    private ServiceLifecycle() {
    }

    /** Why {@code action} is refused in {@code status}, or empty if it is allowed. */
    public static Optional<String> refusal(ServiceStatus status, ServiceAction action) {
        if (!action.isMutating()) {
            return Optional.empty();
        }
        return switch (status) {
            case OPERATION_IN_PROGRESS -> Optional.of("an operation is in progress on the service; wait until it "
                    + "ends (ListOperations) and try again");
            case RUNNING -> action == ServiceAction.RESUME
                    ? Optional.of("the service is not paused; only a PAUSED service can be resumed") : Optional.empty();
            case PAUSED -> switch (action) {
                case RESUME, DELETE -> Optional.empty();
                case PAUSE -> Optional.of("the service is already paused");
                default -> Optional.of("the service is paused; resume it (ResumeService) before you "
                        + (action == ServiceAction.UPDATE ? "update it" : "deploy to it"));
            };
            case CREATE_FAILED -> action == ServiceAction.DELETE ? Optional.empty()
                    : Optional.of("the service failed to be created and can only be deleted; read its events and "
                    + "deployment logs, delete it and create it again");
            case DELETE_FAILED -> action == ServiceAction.DELETE ? Optional.empty()
                    : Optional.of("deleting the service failed; it can only be deleted again");
            case DELETED -> Optional.of("the service is deleted");
        };
    }

    /**
     * Throws {@link InvalidStateException} if {@code action} is not allowed in {@code status}, or while the service is
     * in maintenance (starting again after a restart of Slipway, shown as OPERATION_IN_PROGRESS).
     */
    public static void check(String serviceName, ServiceStatus status, boolean maintenance, ServiceAction action) {
        if (maintenance && action.isMutating()) {
            throw new InvalidStateException("Service " + serviceName + " is starting again after a restart of Slipway (status "
                    + "OPERATION_IN_PROGRESS); try again when its status is RUNNING.");
        }
        check(serviceName, status, action);
    }

    /** Throws {@link InvalidStateException} if {@code action} is not allowed in {@code status}. */
    public static void check(String serviceName, ServiceStatus status, ServiceAction action) {
        refusal(status, action).ifPresent(reason -> {
            throw new InvalidStateException("Cannot " + (action == ServiceAction.START_DEPLOYMENT ? "start a deployment of"
                    : action.name().toLowerCase().replace('_', ' ')) + " service "
                    + serviceName + " while its status is " + status + ": " + reason + ".");
        });
    }

    /** The operation an action starts. */
    public static OperationType operationOf(ServiceAction action) {
        return switch (action) {
            case UPDATE -> OperationType.UPDATE_SERVICE;
            case START_DEPLOYMENT -> OperationType.START_DEPLOYMENT;
            case PAUSE -> OperationType.PAUSE_SERVICE;
            case RESUME -> OperationType.RESUME_SERVICE;
            case DELETE -> OperationType.DELETE_SERVICE;
            default -> throw new IllegalArgumentException(action + " starts no operation");
        };
    }

    /** The status a service has once an operation of {@code type} ends. A failed deployment leaves the old one serving. */
    public static ServiceStatus statusAfter(OperationType type, boolean succeeded) {
        return switch (type) {
            case CREATE_SERVICE -> succeeded ? ServiceStatus.RUNNING : ServiceStatus.CREATE_FAILED;
            case START_DEPLOYMENT, UPDATE_SERVICE -> ServiceStatus.RUNNING;
            case PAUSE_SERVICE -> succeeded ? ServiceStatus.PAUSED : ServiceStatus.RUNNING;
            case RESUME_SERVICE -> succeeded ? ServiceStatus.RUNNING : ServiceStatus.PAUSED;
            case DELETE_SERVICE -> succeeded ? ServiceStatus.DELETED : ServiceStatus.DELETE_FAILED;
        };
    }
}
