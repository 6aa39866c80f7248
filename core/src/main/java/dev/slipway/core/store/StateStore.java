package dev.slipway.core.store;

import java.util.Optional;

/** Where the control plane keeps its state between runs. Calls are made under the control plane's lock. */
public interface StateStore {
    /** The state saved last, if any. */
    Optional<ControlPlaneState> load();

    /** Replaces the saved state; when this returns, the state survives a crash of the process. */
    void save(ControlPlaneState state);

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
