package dev.slipway.core.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;

/** How state stores write the state: JSON, dates as ISO 8601, unknown fields of a newer Slipway ignored. */
public final class StateJson {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule()).registerModule(new Jdk8Module())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private StateJson() {
    }

    /** {@code state} if it is whole and of this Slipway's version; otherwise why not. */
    public static ControlPlaneState checked(ControlPlaneState state) throws IOException {
        if (state == null || state.services() == null || state.connections() == null || state.autoScaling() == null
                || state.tags() == null || state.services().contains(null)) {
            throw new IOException("it has no services, connections, autoScaling or tags (or null entries)");
        }
        if (state.version() != ControlPlaneState.VERSION) {
            throw new IOException("it holds state version " + state.version() + "; this Slipway reads version "
                    + ControlPlaneState.VERSION);
        }
        return state;
    }
}
