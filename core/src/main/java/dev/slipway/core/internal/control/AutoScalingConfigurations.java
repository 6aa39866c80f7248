package dev.slipway.core.internal.control;

import dev.slipway.core.InvalidRequestException;
import dev.slipway.core.ResourceNotFoundException;
import dev.slipway.core.ServiceQuotaExceededException;
import dev.slipway.core.internal.Arns;
import dev.slipway.core.model.AutoScalingConfiguration;
import dev.slipway.core.model.AutoScalingConfigurationStatus;
import dev.slipway.core.internal.store.StoredAutoScaling;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Named, revisioned auto scaling configurations (the guide's "Managing App Runner automatic scaling"): a name's
 * first revision is 1, the next ones count up; revisions cannot be changed, only added and deleted. The implicit
 * {@code DefaultConfiguration} revision 1 (MaxConcurrency 100, MinSize 1, MaxSize 25) is the default until
 * another name is made default. Not thread-safe: the writer changes its own copy, readers read a published one.
 */
public final class AutoScalingConfigurations {
    public static final String DEFAULT_NAME = "DefaultConfiguration";

    private final Arns arns;
    private final int nameQuota;
    private final int revisionQuota;
    private final List<Revision> revisions = new ArrayList<>();
    private String defaultName = DEFAULT_NAME;

    /** One stored revision. */
    private static final class Revision {
        final String name;
        final int number;
        final String arn;
        final int maxConcurrency;
        final int minSize;
        final int maxSize;
        final Instant createdAt;
        Instant deletedAt;

        Revision(String name, int number, String arn, int maxConcurrency, int minSize, int maxSize) {
            this(name, number, arn, maxConcurrency, minSize, maxSize, Instant.now());
        }

        Revision(String name, int number, String arn, int maxConcurrency, int minSize, int maxSize, Instant createdAt) {
            this.name = name;
            this.number = number;
            this.arn = arn;
            this.maxConcurrency = maxConcurrency;
            this.minSize = minSize;
            this.maxSize = maxSize;
            this.createdAt = createdAt;
        }

        boolean active() {
            return deletedAt == null;
        }
    }

    public AutoScalingConfigurations(Arns arns, int nameQuota, int revisionQuota) {
        this.arns = arns;
        this.nameQuota = nameQuota;
        this.revisionQuota = revisionQuota;
        revisions.add(new Revision(DEFAULT_NAME, 1, arns.autoScalingConfiguration(DEFAULT_NAME, 1, newId()),
                AutoScalingConfiguration.DEFAULT_MAX_CONCURRENCY, AutoScalingConfiguration.DEFAULT_MIN_SIZE, AutoScalingConfiguration.DEFAULT_MAX_SIZE));
    }

    /** Adds a revision (revision 1 for a new name). Unset numbers take the defaults. */
    public AutoScalingConfiguration create(String name, Integer maxConcurrency, Integer minSize, Integer maxSize,
                                           Predicate<String> inUse) {
        int mc = maxConcurrency != null ? maxConcurrency : AutoScalingConfiguration.DEFAULT_MAX_CONCURRENCY;
        int min = minSize != null ? minSize : AutoScalingConfiguration.DEFAULT_MIN_SIZE;
        int max = maxSize != null ? maxSize : AutoScalingConfiguration.DEFAULT_MAX_SIZE;
        if (min > max) {
            throw new InvalidRequestException("MinSize (" + min + ") must not be greater than MaxSize (" + max + ")");
        }
        List<Revision> ofName = revisions.stream().filter(r -> r.name.equals(name)).toList();
        boolean newName = ofName.stream().noneMatch(Revision::active);
        long activeNames = revisions.stream().filter(Revision::active).map(r -> r.name)
                .filter(n -> !n.equals(DEFAULT_NAME)).distinct().count();
        if (newName && !name.equals(DEFAULT_NAME) && activeNames >= nameQuota) {
            throw new ServiceQuotaExceededException("You have reached the quota of " + nameQuota
                    + " auto scaling configuration names; delete one before creating " + name);
        }
        if (ofName.stream().filter(Revision::active).count() >= revisionQuota) {
            throw new ServiceQuotaExceededException("Auto scaling configuration " + name + " already has "
                    + revisionQuota + " revisions, the quota; delete some before adding another");
        }
        int number = ofName.stream().mapToInt(r -> r.number).max().orElse(0) + 1;
        Revision r = new Revision(name, number, arns.autoScalingConfiguration(name, number, newId()), mc, min, max);
        revisions.add(r);
        return view(r, inUse);
    }

    /** The revision an ARN names: full, or partial ending in {@code name} (latest active) or {@code name/revision}. */
    public AutoScalingConfiguration describe(String arn, Predicate<String> inUse) {
        return view(find(arn, "AutoScalingConfigurationArn"), inUse);
    }

    /** The full ARN of the revision an ARN names (resolving "latest"). */
    public String resolveArn(String arn, String field) {
        return find(arn, field).arn;
    }

    /** The default revision: the latest active revision of the default name. */
    public AutoScalingConfiguration defaultConfiguration(Predicate<String> inUse) {
        return view(latest(defaultName).or(() -> latest(DEFAULT_NAME)).orElseThrow(), inUse);
    }

    /** Makes the name of {@code arn} the default for new services. */
    public AutoScalingConfiguration makeDefault(String arn, Predicate<String> inUse) {
        Revision r = find(arn, "AutoScalingConfigurationArn");
        defaultName = r.name;
        return view(r, inUse);
    }

    /** Active revisions, newest first; of one name if given; only the latest per name unless {@code latestOnly} is false. */
    public List<AutoScalingConfiguration> list(Optional<String> name, boolean latestOnly, Predicate<String> inUse) {
        return revisions.stream().filter(Revision::active)
                .filter(r -> name.map(n -> n.equals(r.name)).orElse(true))
                .filter(r -> !latestOnly || latest(r.name).orElseThrow() == r)
                .sorted(Comparator.comparing((Revision r) -> r.name).thenComparing(r -> -r.number))
                .map(r -> view(r, inUse)).toList();
    }

    /** Deletes one revision, or all revisions of its name. Refused for the default or one in use. */
    public AutoScalingConfiguration delete(String arn, boolean allRevisions, Predicate<String> inUse) {
        Revision r = find(arn, "AutoScalingConfigurationArn");
        List<Revision> targets = allRevisions
                ? revisions.stream().filter(x -> x.name.equals(r.name) && x.active()).toList() : List.of(r);
        if (r.name.equals(DEFAULT_NAME) && r.number == 1) {
            throw new InvalidRequestException("The implicit DefaultConfiguration revision 1 cannot be deleted");
        }
        for (Revision t : targets) {
            if (inUse.test(t.arn)) {
                throw new InvalidRequestException("Auto scaling configuration " + t.arn
                        + " is used by a service; update the service to another configuration first");
            }
        }
        Instant now = Instant.now();
        targets.forEach(t -> t.deletedAt = now);
        if (latest(defaultName).isEmpty()) {
            defaultName = DEFAULT_NAME;
        }
        return view(r, inUse);
    }

    /** Every revision, deleted ones included, and the default name, for the state store. */
    public StoredAutoScaling export() {
        return new StoredAutoScaling(revisions.stream().map(r -> new StoredAutoScaling.Revision(
                r.name, r.number, r.arn, r.maxConcurrency, r.minSize, r.maxSize, r.createdAt, r.deletedAt)).toList(), defaultName);
    }

    /** Replaces every revision with stored ones. */
    public void restore(StoredAutoScaling state) {
        revisions.clear();
        for (StoredAutoScaling.Revision r : state.revisions()) {
            Revision revision = new Revision(r.name(), r.number(), r.arn(), r.maxConcurrency(), r.minSize(), r.maxSize(), r.createdAt());
            revision.deletedAt = r.deletedAt();
            revisions.add(revision);
        }
        defaultName = state.defaultName();
    }

    /** Whether {@code arn} names an existing active revision. */
    public boolean exists(String arn) {
        return revisions.stream().anyMatch(r -> r.active() && r.arn.equals(arn));
    }

    private Revision find(String arn, String field) {
        String[] parts = arns.parts(arn, "autoscalingconfiguration", field);
        String name = parts[0];
        Optional<Revision> found;
        if (parts.length == 1) {
            found = latest(name);
        } else {
            int number;
            try {
                number = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new InvalidRequestException(field + " '" + arn + "' has revision '" + parts[1] + "', not a number");
            }
            found = revisions.stream().filter(r -> r.active() && r.name.equals(name) && r.number == number
                    && (parts.length < 3 || r.arn.equals(arn))).findFirst();
        }
        return found.orElseThrow(() -> new ResourceNotFoundException("No active auto scaling configuration " + arn));
    }

    private Optional<Revision> latest(String name) {
        return revisions.stream().filter(r -> r.active() && r.name.equals(name)).max(Comparator.comparingInt(r -> r.number));
    }

    private AutoScalingConfiguration view(Revision r, Predicate<String> inUse) {
        boolean isLatest = r.active() && latest(r.name).map(l -> l == r).orElse(false);
        return new AutoScalingConfiguration(r.arn, r.name, r.number, isLatest,
                r.active() ? AutoScalingConfigurationStatus.ACTIVE : AutoScalingConfigurationStatus.INACTIVE,
                r.maxConcurrency, r.minSize, r.maxSize, r.createdAt, r.deletedAt, inUse.test(r.arn),
                r.name.equals(defaultName));
    }

    private static String newId() {
        return UUID.randomUUID().toString().replace("-", "");
    }
}
