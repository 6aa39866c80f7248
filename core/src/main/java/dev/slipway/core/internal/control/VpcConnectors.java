package dev.slipway.core.internal.control;

import dev.slipway.core.InvalidRequestException;
import dev.slipway.core.ResourceNotFoundException;
import dev.slipway.core.ServiceQuotaExceededException;
import dev.slipway.core.internal.Arns;
import dev.slipway.core.internal.store.StoredVpcConnectors;
import dev.slipway.core.model.VpcConnector;
import dev.slipway.core.model.VpcConnectorStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * VPC connectors, as App Runner keeps them: one active revision per name (revision 1 for a new name, the next number
 * after a deleted one), deleted revisions kept as INACTIVE; at most the quota's active connectors. A subnet or
 * security group id is a name Slipway's backends give a meaning (a network, a namespace, an egress rule set). Not
 * thread-safe: the writer changes its own copy, readers read a published one.
 */
public final class VpcConnectors {
    /** Most subnets and security groups one connector names (Slipway's limits; the model sets none). */
    static final int MAX_SUBNETS = 16;
    static final int MAX_SECURITY_GROUPS = 5;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    private final Arns arns;
    private final int quota;
    private final List<StoredVpcConnectors.Revision> revisions = new ArrayList<>();

    public VpcConnectors(Arns arns, int quota) {
        this.arns = arns;
        this.quota = quota;
    }

    /**
     * A new connector (the next revision of a name whose earlier revisions were deleted); its security groups must be
     * among those {@code defined} by this Slipway's configuration.
     */
    public VpcConnector create(String name, List<String> subnets, List<String> securityGroups, java.util.Set<String> defined) {
        List<String> nets = ids("Subnets", subnets, MAX_SUBNETS, true);
        List<String> groups = ids("SecurityGroups", securityGroups, MAX_SECURITY_GROUPS, false);
        for (String group : groups) {
            if (!defined.contains(group)) {
                throw new InvalidRequestException("SecurityGroups names " + group + ", which this Slipway does not define ("
                        + (defined.isEmpty() ? "it defines none" : "it defines " + String.join(", ", new java.util.TreeSet<>(defined)))
                        + "); define it with slipway server --security-group " + group + "=CIDR[:PORT[-PORT]][;...]");
            }
        }
        Optional<StoredVpcConnectors.Revision> active = active(name);
        if (active.isPresent()) {
            throw new InvalidRequestException("VPC connector " + name + " exists already (" + active.get().arn() + "); App Runner keeps "
                    + "one revision per name: delete it first, or choose another VpcConnectorName");
        }
        long activeCount = revisions.stream().filter(r -> r.deletedAt() == null).count();
        if (activeCount >= quota) {
            throw new ServiceQuotaExceededException("You have reached the quota of " + quota + " VPC connectors; delete one before "
                    + "creating " + name + " (slipway server --quota vpc-connectors=N raises it)");
        }
        int number = revisions.stream().filter(r -> r.name().equals(name)).mapToInt(StoredVpcConnectors.Revision::number).max().orElse(0) + 1;
        StoredVpcConnectors.Revision r = new StoredVpcConnectors.Revision(name, number,
                arns.vpcConnector(name, number, UUID.randomUUID().toString().replace("-", "")), nets, groups, Instant.now(), null);
        revisions.add(r);
        return view(r);
    }

    /** The revision {@code arn} names, active or deleted. */
    public VpcConnector describe(String arn) {
        return view(find(arn, false));
    }

    /** Every revision, active ones first, then by name. */
    public List<VpcConnector> list() {
        return revisions.stream().sorted(Comparator.comparing((StoredVpcConnectors.Revision r) -> r.deletedAt() != null)
                .thenComparing(StoredVpcConnectors.Revision::name).thenComparing(r -> -r.number())).map(this::view).toList();
    }

    /** Deletes the active revision {@code arn} names; refused while a service uses it. */
    public VpcConnector delete(String arn, Predicate<String> inUse) {
        StoredVpcConnectors.Revision r = find(arn, true);
        if (inUse.test(r.arn())) {
            throw new InvalidRequestException("VPC connector " + r.arn() + " is used by a service; update the service to "
                    + "EgressType DEFAULT (or another connector) first");
        }
        StoredVpcConnectors.Revision deleted = new StoredVpcConnectors.Revision(r.name(), r.number(), r.arn(), r.subnets(),
                r.securityGroups(), r.createdAt(), Instant.now());
        revisions.set(revisions.indexOf(r), deleted);
        return view(deleted);
    }

    /** The active connector {@code arn} names, if there is one. */
    public Optional<VpcConnector> active(String arn, String field) {
        arns.parts(arn, "vpcconnector", field);
        return revisions.stream().filter(r -> r.deletedAt() == null && r.arn().equals(arn)).findFirst().map(this::view);
    }

    public StoredVpcConnectors export() {
        return new StoredVpcConnectors(List.copyOf(revisions));
    }

    public void restore(StoredVpcConnectors stored) {
        revisions.clear();
        revisions.addAll(stored.revisions());
    }

    private Optional<StoredVpcConnectors.Revision> active(String name) {
        return revisions.stream().filter(r -> r.deletedAt() == null && r.name().equals(name)).findFirst();
    }

    private StoredVpcConnectors.Revision find(String arn, boolean activeOnly) {
        arns.parts(arn, "vpcconnector", "VpcConnectorArn");
        return revisions.stream().filter(r -> r.arn().equals(arn) && (!activeOnly || r.deletedAt() == null)).findFirst()
                .orElseThrow(() -> new ResourceNotFoundException("No " + (activeOnly ? "active " : "") + "VPC connector " + arn));
    }

    /** The ids as given, checked: each a name of letters, digits, '.', '_' and '-', no repeats, at most {@code max}. */
    private static List<String> ids(String field, List<String> given, int max, boolean required) {
        List<String> ids = given == null ? List.of() : given;
        if (required && ids.isEmpty()) {
            throw new InvalidRequestException(field + " must name at least one subnet (on Docker a network, on Kubernetes a namespace)");
        }
        if (ids.size() > max) {
            throw new InvalidRequestException(field + " names " + ids.size() + " ids; a VPC connector takes at most " + max);
        }
        HashSet<String> seen = new HashSet<>();
        for (String id : ids) {
            if (id == null || !ID.matcher(id).matches()) {
                throw new InvalidRequestException(field + " has '" + id + "', not an id: 1 to 128 letters, digits, '.', '_' or '-', "
                        + "starting with a letter or digit");
            }
            if (!seen.add(id)) {
                throw new InvalidRequestException(field + " names " + id + " twice");
            }
        }
        return List.copyOf(ids);
    }

    private VpcConnector view(StoredVpcConnectors.Revision r) {
        return new VpcConnector(r.name(), r.arn(), r.number(), r.subnets(), r.securityGroups(),
                r.deletedAt() == null ? VpcConnectorStatus.ACTIVE : VpcConnectorStatus.INACTIVE, r.createdAt(), r.deletedAt());
    }
}
