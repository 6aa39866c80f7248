package dev.slipway.core.internal.control;

import dev.slipway.core.InvalidRequestException;
import dev.slipway.core.ResourceNotFoundException;
import dev.slipway.core.ServiceQuotaExceededException;
import dev.slipway.core.internal.Arns;
import dev.slipway.core.internal.store.StoredObservability;
import dev.slipway.core.model.ObservabilityConfiguration;
import dev.slipway.core.model.ObservabilityConfigurationStatus;
import dev.slipway.core.model.TraceConfiguration;
import dev.slipway.core.model.TracingVendor;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Named, revisioned observability configurations, by the rules of auto scaling configurations (revision 1 for a new
 * name, then counting up; revisions are added and deleted, never changed; the same quotas of names and revisions),
 * except that {@code DefaultConfiguration} is reserved and a revision is deleted one at a time. Not thread-safe: the
 * writer changes its own copy, readers read a published one.
 */
public final class ObservabilityConfigurations {
    private static final String RESERVED = "DefaultConfiguration";
    private static final String ARN_FIELD = "ObservabilityConfigurationArn";

    private final Arns arns;
    private final int nameQuota;
    private final int revisionQuota;
    private final List<StoredObservability.Revision> revisions = new ArrayList<>();

    public ObservabilityConfigurations(Arns arns, int nameQuota, int revisionQuota) {
        this.arns = arns;
        this.nameQuota = nameQuota;
        this.revisionQuota = revisionQuota;
    }

    /** Adds a revision (revision 1 for a new name); it traces when {@code trace} is set. */
    public ObservabilityConfiguration create(String name, TraceConfiguration trace) {
        if (name.equals(RESERVED)) {
            throw new InvalidRequestException("ObservabilityConfigurationName DefaultConfiguration is reserved; choose another name");
        }
        if (trace != null && trace.vendor() == null) {
            throw new InvalidRequestException("TraceConfiguration.Vendor is required; the one vendor is AWSXRAY");
        }
        List<StoredObservability.Revision> ofName = revisions.stream().filter(r -> r.name().equals(name)).toList();
        long activeOfName = ofName.stream().filter(r -> r.deletedAt() == null).count();
        long activeNames = revisions.stream().filter(r -> r.deletedAt() == null).map(StoredObservability.Revision::name).distinct().count();
        if (activeOfName == 0 && activeNames >= nameQuota) {
            throw new ServiceQuotaExceededException("You have reached the quota of " + nameQuota
                    + " observability configuration names; delete one before creating " + name);
        }
        if (activeOfName >= revisionQuota) {
            throw new ServiceQuotaExceededException("Observability configuration " + name + " already has " + revisionQuota
                    + " revisions, the quota; delete some before adding another");
        }
        int number = ofName.stream().mapToInt(StoredObservability.Revision::number).max().orElse(0) + 1;
        StoredObservability.Revision r = new StoredObservability.Revision(name, number,
                arns.observabilityConfiguration(name, number, UUID.randomUUID().toString().replace("-", "")),
                trace == null ? null : trace.vendor().name(), Instant.now(), null);
        revisions.add(r);
        return view(r);
    }

    /** The active revision an ARN names: full, or partial ending in {@code name} (the latest) or {@code name/revision}. */
    public ObservabilityConfiguration describe(String arn, String field) {
        return view(find(arn, field));
    }

    /** Active revisions, by name then newest first; of one name if given; only each name's latest if {@code latestOnly}. */
    public List<ObservabilityConfiguration> list(Optional<String> name, boolean latestOnly) {
        return revisions.stream().filter(r -> r.deletedAt() == null)
                .filter(r -> name.map(n -> n.equals(r.name())).orElse(true))
                .filter(r -> !latestOnly || latest(r.name()).orElseThrow() == r)
                .sorted(Comparator.comparing(StoredObservability.Revision::name).thenComparing(r -> -r.number()))
                .map(this::view).toList();
    }

    /** Deletes the revision {@code arn} names; refused while a service uses it. */
    public ObservabilityConfiguration delete(String arn, Predicate<String> inUse) {
        StoredObservability.Revision r = find(arn, ARN_FIELD);
        if (inUse.test(r.arn())) {
            throw new InvalidRequestException("Observability configuration " + r.arn() + " is used by a service; update the "
                    + "service to another observability configuration (or ObservabilityEnabled=false) first");
        }
        StoredObservability.Revision deleted = new StoredObservability.Revision(r.name(), r.number(), r.arn(), r.tracingVendor(),
                r.createdAt(), Instant.now());
        revisions.set(revisions.indexOf(r), deleted);
        return view(deleted);
    }

    /** Whether {@code arn} names an existing active revision. */
    public boolean exists(String arn) {
        return revisions.stream().anyMatch(r -> r.deletedAt() == null && r.arn().equals(arn));
    }

    public StoredObservability export() {
        return new StoredObservability(List.copyOf(revisions));
    }

    public void restore(StoredObservability stored) {
        revisions.clear();
        revisions.addAll(stored.revisions());
    }

    private StoredObservability.Revision find(String arn, String field) {
        String[] parts = arns.parts(arn, "observabilityconfiguration", field);
        Optional<StoredObservability.Revision> found;
        if (parts.length == 1) {
            found = latest(parts[0]);
        } else {
            int number;
            try {
                number = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new InvalidRequestException(field + " '" + arn + "' has revision '" + parts[1] + "', not a number");
            }
            found = revisions.stream().filter(r -> r.deletedAt() == null && r.name().equals(parts[0]) && r.number() == number
                    && (parts.length < 3 || r.arn().equals(arn))).findFirst();
        }
        return found.orElseThrow(() -> new ResourceNotFoundException("No active observability configuration " + arn));
    }

    private Optional<StoredObservability.Revision> latest(String name) {
        return revisions.stream().filter(r -> r.deletedAt() == null && r.name().equals(name))
                .max(Comparator.comparingInt(StoredObservability.Revision::number));
    }

    private ObservabilityConfiguration view(StoredObservability.Revision r) {
        boolean active = r.deletedAt() == null;
        return new ObservabilityConfiguration(r.arn(), r.name(),
                r.tracingVendor() == null ? null : new TraceConfiguration(TracingVendor.valueOf(r.tracingVendor())), r.number(),
                active && latest(r.name()).map(l -> l == r).orElse(false),
                active ? ObservabilityConfigurationStatus.ACTIVE : ObservabilityConfigurationStatus.INACTIVE, r.createdAt(), r.deletedAt());
    }
}
