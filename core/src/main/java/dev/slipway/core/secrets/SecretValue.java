package dev.slipway.core.secrets;

import java.time.Instant;

/** A version of a secret (Secrets Manager's shape): its ARN, name, version id, value, and when it was made. */
public record SecretValue(String arn, String name, String versionId, String value, Instant createdDate) {
    @Override
    public String toString() {
        return "SecretValue[" + arn + ", version " + versionId + "]"; // never the value
    }
}
