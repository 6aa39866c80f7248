package dev.slipway.core.internal.store;

import java.time.Instant;
import java.util.List;

/**
 * Every auto scaling configuration revision (document {@code autoscaling}), deleted ones included (their numbers are
 * not reused), and the name new services get by default.
 */
public record StoredAutoScaling(List<Revision> revisions, String defaultName) {
    /** One revision; {@code deletedAt} is null while it is active. */
    public record Revision(String name, int number, String arn, int maxConcurrency, int minSize, int maxSize,
                           Instant createdAt, Instant deletedAt) {
    }
}
