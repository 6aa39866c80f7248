package dev.slipway.core.internal.lifecycle;

/** The actions on a service whose permission depends on its status. */
public enum ServiceAction {
    DESCRIBE, LIST_OPERATIONS, TAG, UNTAG, UPDATE, START_DEPLOYMENT, PAUSE, RESUME, DELETE;

    /** Whether the action changes what runs (and so needs the service idle). */
    public boolean isMutating() {
        return this == UPDATE || this == START_DEPLOYMENT || this == PAUSE || this == RESUME || this == DELETE;
    }
}
