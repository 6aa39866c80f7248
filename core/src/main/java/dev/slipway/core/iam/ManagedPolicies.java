package dev.slipway.core.iam;

import java.util.Map;
import java.util.Optional;

/**
 * The managed policies the guide describes ("AWS managed policies for App Runner"), built in, and the administrator's:
 * {@code AWSAppRunnerReadOnlyAccess} (list and describe), {@code AWSAppRunnerFullAccess} (every App Runner action, and
 * Slipway's own) and {@code AdministratorAccess} (everything: what the server's own key pair has).
 */
public final class ManagedPolicies {
    public static final String READ_ONLY = "AWSAppRunnerReadOnlyAccess";
    public static final String FULL = "AWSAppRunnerFullAccess";
    public static final String ADMINISTRATOR = "AdministratorAccess";

    private static final Map<String, PolicyDocument> POLICIES = Map.of(
            READ_ONLY, PolicyDocument.parse(READ_ONLY, """
                    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                      "Action": ["apprunner:List*", "apprunner:Describe*"], "Resource": "*"}]}"""),
            FULL, PolicyDocument.parse(FULL, """
                    {"Version": "2012-10-17", "Statement": [
                      {"Sid": "Administrative permission over AppRunner applications", "Effect": "Allow",
                       "Action": ["apprunner:*", "slipway:*"], "Resource": "*"}]}"""),
            ADMINISTRATOR, PolicyDocument.parse(ADMINISTRATOR, """
                    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"""));

    private ManagedPolicies() {
    }

    /** The managed policy {@code name}, if there is one. */
    public static Optional<PolicyDocument> named(String name) {
        return Optional.ofNullable(POLICIES.get(name));
    }

    public static java.util.Set<String> names() {
        return new java.util.TreeSet<>(POLICIES.keySet());
    }
}
