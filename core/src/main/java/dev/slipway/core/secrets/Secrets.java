package dev.slipway.core.secrets;

import java.util.List;
import java.util.Optional;

/**
 * Slipway's secret store ({@code slipway.secrets()}), as the part of AWS Secrets Manager and SSM Parameter Store that
 * App Runner users use. A secret's ARN ({@code arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 letters>})
 * or a parameter's ({@code arn:aws:ssm:<region>:<account>:parameter/<name>}) in RuntimeEnvironmentSecrets or
 * apprunner.yaml {@code run.secrets} is read when the service's instances start, at the version its deployment pinned.
 */
public interface Secrets {
    /** A new secret, with its first version. */
    SecretValue createSecret(String name, String value, String description);

    /** A new current version of a secret (by name or ARN); services get it at their next deployment. */
    SecretValue putSecretValue(String secretId, String value);

    /** The current version of a secret, or the version {@code versionId}. */
    SecretValue getSecretValue(String secretId, Optional<String> versionId);

    SecretSummary deleteSecret(String secretId);

    List<SecretSummary> listSecrets();

    /** An SSM parameter ({@code String}, {@code StringList} or {@code SecureString}), as PutParameter makes it. */
    Parameter putParameter(String name, String type, String value, boolean overwrite);

    Parameter getParameter(String name);

    void deleteParameter(String name);
}
