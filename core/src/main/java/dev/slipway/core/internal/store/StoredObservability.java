package dev.slipway.core.internal.store;

import java.time.Instant;
import java.util.List;

/** Every observability configuration revision (document {@code observability}), deleted ones included (their numbers are not reused). */
public record StoredObservability(List<Revision> revisions) {
    /** One revision; {@code tracingVendor} is null when it does not trace, {@code deletedAt} while it is active. */
    public record Revision(String name, int number, String arn, String tracingVendor, Instant createdAt, Instant deletedAt) {
    }
}
