package dev.slipway.core.secrets;

import java.time.Instant;

/** An SSM parameter (String, StringList or SecureString): name, ARN, type, value and version. */
public record Parameter(String name, String arn, String type, String value, long version, Instant lastModifiedDate) {
    @Override
    public String toString() {
        return "Parameter[" + arn + ", " + type + ", version " + version + "]"; // never the value
    }
}
