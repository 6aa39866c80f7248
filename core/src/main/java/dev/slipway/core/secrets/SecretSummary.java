package dev.slipway.core.secrets;

import java.time.Instant;

/** A secret as ListSecrets shows it (never its value). */
public record SecretSummary(String arn, String name, String description, Instant createdDate, Instant lastChangedDate) {
}
