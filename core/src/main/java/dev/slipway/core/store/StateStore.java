package dev.slipway.core.store;

import java.util.Optional;

/** Where the control plane keeps its state between runs. Calls are made under the control plane's lock. */
public interface StateStore {
    /** The state saved last, if any. */
    Optional<ControlPlaneState> load();

    /** Replaces the saved state; when this returns, the state survives a crash of the process. */
    void save(ControlPlaneState state);

    /**
     * The id of the control plane this state belongs to, when the store keeps one (a store outside the state directory,
     * which a restarted control plane on another machine finds again): it labels the instances, so they are adopted.
     * Empty: the id kept in the state directory.
     */
    default Optional<String> controlPlaneId() {
        return Optional.empty();
    }

    /** Keeps nothing: the state lives as long as the process. */
    StateStore IN_MEMORY = new StateStore() {
        @Override
        public Optional<ControlPlaneState> load() {
            return Optional.empty();
        }

        @Override
        public void save(ControlPlaneState state) {
        }
    };
}
