package dev.slipway.core.secrets;

import dev.slipway.core.internal.control.ResourceActions;
import java.util.List;
import java.util.Optional;

/**
 * Slipway's secret store ({@code slipway.secrets()}), as the part of AWS Secrets Manager and SSM Parameter Store that
 * App Runner users use. A secret's ARN ({@code arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 letters>})
 * or a parameter's ({@code arn:aws:ssm:<region>:<account>:parameter/<name>}) in RuntimeEnvironmentSecrets or
 * apprunner.yaml {@code run.secrets} is read when the service's instances start, at the version its deployment pinned.
 */
public final class Secrets {
    private final ResourceActions actions;

    public Secrets(ResourceActions actions) {
        this.actions = actions;
    }

    /** A new secret, with its first version. */
    public SecretValue createSecret(String name, String value, String description) {
        return actions.createSecret(name, value, description);
    }

    /** A new current version of a secret (by name or ARN); services get it at their next deployment. */
    public SecretValue putSecretValue(String secretId, String value) {
        return actions.putSecretValue(secretId, value);
    }

    /** The current version of a secret, or the version {@code versionId}. */
    public SecretValue getSecretValue(String secretId, Optional<String> versionId) {
        return actions.getSecretValue(secretId, versionId);
    }

    public SecretSummary deleteSecret(String secretId) {
        return actions.deleteSecret(secretId);
    }

    public List<SecretSummary> listSecrets() {
        return actions.listSecrets();
    }

    /** An SSM parameter ({@code String}, {@code StringList} or {@code SecureString}), as PutParameter makes it. */
    public Parameter putParameter(String name, String type, String value, boolean overwrite) {
        return actions.putParameter(name, type, value, overwrite);
    }

    public Parameter getParameter(String name) {
        return actions.getParameter(name);
    }

    public void deleteParameter(String name) {
        actions.deleteParameter(name);
    }
}
