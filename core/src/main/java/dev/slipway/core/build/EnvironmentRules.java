package dev.slipway.core.build;

import java.util.Map;
import java.util.Optional;

/**
 * What a process environment can hold: a variable name is not empty and has no {@code =} or NUL, a value has no NUL.
 * Problems are described without the value, and without the name unless the name itself is valid, so that a secret
 * typed into the wrong place is never echoed.
 */
public final class EnvironmentRules {
    private EnvironmentRules() {
    }

    /** The first problem of {@code variables}, in words that name no value; empty when every entry is valid. */
    public static Optional<String> problem(Map<String, String> variables) {
        if (variables == null) {
            return Optional.empty();
        }
        int i = 0;
        for (Map.Entry<String, String> e : variables.entrySet()) {
            i++;
            String name = e.getKey();
            if (name == null || name.isEmpty()) {
                return Optional.of("entry " + i + " has an empty variable name");
            }
            if (name.indexOf('=') >= 0) {
                return Optional.of("the name of entry " + i + " contains '=', which a variable name cannot hold; give the "
                        + "name and the value separately");
            }
            if (name.indexOf('\0') >= 0) {
                return Optional.of("the name of entry " + i + " contains a NUL character, which a variable name cannot hold");
            }
            if (e.getValue() != null && e.getValue().indexOf('\0') >= 0) {
                return Optional.of("the value of " + name + " contains a NUL character, which an environment value cannot hold");
            }
        }
        return Optional.empty();
    }
}
