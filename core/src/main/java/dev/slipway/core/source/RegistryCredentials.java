package dev.slipway.core.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.core.build.BuildFailedException;
import dev.slipway.core.spi.RegistryLogin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The registry logins that stand for IAM roles: App Runner pulls a private ECR image with the role a service's
 * AuthenticationConfiguration.AccessRoleArn names; Slipway looks that ARN up in {@code <state-dir>/registry-credentials.json}
 * ({@code {"<role ARN>": {"username": "...", "password": "..."}}}, readable by its owner only).
 */
public final class RegistryCredentials {
    public static final String FILE_NAME = "registry-credentials.json";

    private RegistryCredentials() {
    }

    /** The login for {@code roleArn}; fails saying where to add it. */
    public static RegistryLogin forRole(Path file, String roleArn) throws BuildFailedException {
        JsonNode entry;
        try {
            entry = Files.exists(file) ? new ObjectMapper().readTree(file.toFile()).get(roleArn) : null;
        } catch (IOException e) {
            throw new BuildFailedException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (entry == null || !entry.hasNonNull("username") || !entry.hasNonNull("password")) {
            throw new BuildFailedException("no registry login for AccessRoleArn " + roleArn + " in " + file
                    + "; add {\"" + roleArn + "\": {\"username\": \"...\", \"password\": \"...\"}} (see 'Running on Docker' in Slipway's user guide)");
        }
        return new RegistryLogin(entry.get("username").asText(), entry.get("password").asText());
    }
}
