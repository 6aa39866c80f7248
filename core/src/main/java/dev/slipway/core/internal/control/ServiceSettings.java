package dev.slipway.core.internal.control;

import dev.slipway.core.InvalidRequestException;
import dev.slipway.core.ResourceNotFoundException;
import dev.slipway.core.source.HostKeyPins;
import dev.slipway.core.source.RegistryCredentials;
import dev.slipway.core.model.AutoScalingConfiguration;
import dev.slipway.core.internal.deploy.Deployment;
import dev.slipway.core.internal.scaling.ConcurrencyAutoscaler;
import dev.slipway.core.model.AutoScalingConfigurationSummary;
import dev.slipway.core.model.Service;
import dev.slipway.core.model.ServiceObservabilityConfiguration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What a service's configuration means once the resources it names are looked up: its observability configuration's
 * revision and whether the router traces it, its auto scaling numbers, its instance role's credentials, the key its logs
 * are encrypted with, and the service as DescribeService shows it. Read under {@link ControlState}'s lock where it says.
 */
final class ServiceSettings {
    private final ControlState state;
    private final ServiceRuntime runtime;
    private final ServiceUrls urls;

    ServiceSettings(ControlState state, ServiceRuntime runtime, ServiceUrls urls) {
        this.state = state;
        this.runtime = runtime;
        this.urls = urls;
    }

    /**
     * A service's observability configuration, its ARN resolved to the revision it names (a name alone: the latest active
     * one); null when the request leaves it out.
     */
    ServiceObservabilityConfiguration observability(ServiceObservabilityConfiguration c) {
        if (c == null) {
            return null;
        }
        String field = "observabilityConfiguration.observabilityConfigurationArn";
        if (!Boolean.TRUE.equals(c.observabilityEnabled())) {
            if (c.observabilityConfigurationArn() != null) {
                throw new InvalidRequestException(field + " is specified only when observabilityEnabled is true");
            }
            return new ServiceObservabilityConfiguration(false, null);
        }
        if (c.observabilityConfigurationArn() == null) {
            throw new InvalidRequestException(field + " is required when observabilityEnabled is true");
        }
        return new ServiceObservabilityConfiguration(true, referenced(() -> state.observability()
                .describe(c.observabilityConfigurationArn(), field).observabilityConfigurationArn()));
    }

    /** The auto scaling configuration revision a request names ({@code arn}), or the default one when it names none. */
    String autoScalingArn(String arn) {
        return arn != null ? referenced(() -> state.autoScaling().resolveArn(arn, "autoScalingConfigurationArn"))
                : state.autoScaling().defaultConfiguration(a -> false).autoScalingConfigurationArn();
    }

    /** A configuration a service names that does not exist is a bad request (CreateService has no ResourceNotFoundException). */
    private static String referenced(Supplier<String> resolve) {
        try {
            return resolve.get();
        } catch (ResourceNotFoundException e) {
            throw new InvalidRequestException(e.getMessage() + "; create it first, or name an active revision");
        }
    }

    /** Encrypts the logs of {@code s} with its EncryptionConfiguration's key, when it has one and there is a key ring. */
    void encryptLogs(ServiceRecord s) {
        if (s.encryption() != null && s.encryption().kmsKey() != null && runtime.keyRing().isPresent()) {
            runtime.logs().encrypt(s.name(), s.encryption().kmsKey(), runtime.keyRing().get().aead(s.encryption().kmsKey()));
        }
    }

    /**
     * Tells the router whether to trace the service's requests: its settings in effect (those an operation ended with)
     * name an observability configuration whose TraceConfiguration is set.
     */
    void trace(ServiceRecord s) {
        String arn = s.spec().observability().observabilityConfigurationArn();
        boolean on = Boolean.TRUE.equals(s.spec().observability().observabilityEnabled()) && arn != null
                && state.read(() -> state.observability().exists(arn)
                && state.observability().describe(arn, "observabilityConfigurationArn").traceConfiguration() != null);
        runtime.routing().trace(s.host(), on);
    }

    /** What the instances of {@code s} get to call with its InstanceRoleArn's credentials, if it has one. */
    Map<String, String> instanceCredentials(ServiceRecord s) {
        String role = s.spec().instance().instanceRoleArn();
        return role == null || role.isBlank() ? Map.of() : runtime.instanceCredentials().environment(s.arn(), role);
    }

    int maxConcurrency(ServiceRecord s) {
        return autoScaling(s, AutoScalingConfiguration::maxConcurrency, AutoScalingConfiguration.DEFAULT_MAX_CONCURRENCY);
    }

    /**
     * A new revision starts at the serving one's current size (at least MinSize), as App Runner keeps capacity, and at
     * least one instance (a service scaled to zero too), so that its health check decides the deployment.
     */
    int startingSize(ServiceRecord s, int current) {
        int min = Math.max(1, autoScaling(s, AutoScalingConfiguration::minSize, AutoScalingConfiguration.DEFAULT_MIN_SIZE));
        return Math.min(Math.max(min, current), autoScaling(s, AutoScalingConfiguration::maxSize, Math.max(min, current)));
    }

    /** The autoscaler's settings for {@code s}: its auto scaling configuration revision's numbers. */
    ConcurrencyAutoscaler.Settings scaling(ServiceRecord s) {
        return ConcurrencyAutoscaler.Settings.of(
                autoScaling(s, AutoScalingConfiguration::minSize, AutoScalingConfiguration.DEFAULT_MIN_SIZE),
                autoScaling(s, AutoScalingConfiguration::maxSize, AutoScalingConfiguration.DEFAULT_MAX_SIZE),
                maxConcurrency(s));
    }

    /** A number from the service's auto scaling configuration revision, or {@code fallback} if it is gone. */
    private int autoScaling(ServiceRecord s, Function<AutoScalingConfiguration, Integer> field, int fallback) {
        String arn = s.spec().autoScalingArn();
        return state.autoScaling().exists(arn) ? field.apply(state.autoScaling().describe(arn, a -> false)) : fallback;
    }

    /** The service as DescribeService shows it, from the published records (under the state's lock). */
    Service describe(ServiceRecord s) {
        AutoScalingConfigurationSummary asc = state.autoScaling().exists(s.spec().autoScalingArn())
                ? state.autoScaling().describe(s.spec().autoScalingArn(), state.autoScalingInUse()).summary() : null;
        return new Service(s.name(), s.id(), s.arn(), urls.of(s.host()), s.createdAt(), s.updatedAt(), null, s.shownStatus(),
                s.spec().source(), s.spec().instance(), s.encryption(), s.spec().health(), asc, s.spec().network(),
                s.spec().observability());
    }

    /** What a deployment of {@code s} deploys ({@code current}: how many instances serve now; under the state's lock). */
    Deployment.Target target(ServiceRecord s, int current, String messageUntilServing, Optional<String> pin) {
        return new Deployment.Target(s.name(), s.id(), s.spec().source(), runtime.planOverrides().apply(s.name()),
                runtime.workingTrees(), runtime.sourcesDir().resolveSibling(RegistryCredentials.FILE_NAME),
                ServiceSpecs.resources(s.spec().instance()), startingSize(s, current), s.revision(), messageUntilServing,
                s.spec().health(), maxConcurrency(s), runtime.sourceUrlPolicy(), pin, instanceCredentials(s),
                reference -> state.read(() -> state.secrets().pin(reference)),
                "true".equalsIgnoreCase(s.tags().get(HTTP2_TAG)), ServiceExtensions.rollout(s.tags(), s.host()), egress(s));
    }

    /** The networks and egress rules of the VPC connector the service's egress goes through, or the default. */
    private dev.slipway.core.spi.Egress egress(ServiceRecord s) {
        var egress = s.spec().network() == null ? null : s.spec().network().egressConfiguration();
        if (egress == null || egress.egressType() != dev.slipway.core.model.EgressType.VPC || egress.vpcConnectorArn() == null) {
            return dev.slipway.core.spi.Egress.DEFAULT;
        }
        return state.vpcConnectors().active(egress.vpcConnectorArn(), "VpcConnectorArn")
                .map(c -> new dev.slipway.core.spi.Egress(c.subnets(), c.securityGroups()))
                .orElse(dev.slipway.core.spi.Egress.DEFAULT);
    }

    /**
     * The tag by which a service says its app speaks HTTP/2 cleartext ({@code true}; a Slipway extension, taking effect
     * at the service's next deployment), as apprunner.yaml's {@code slipway.http2} says it for a source's revisions.
     */
    public static final String HTTP2_TAG = "slipway:http2";

    /** The credential and pinned host keys of the connection the source of {@code s} uses, if any (under the state's lock). */
    Deployment.Access access(ServiceRecord s) {
        return state.connections().usedBy(s.spec().source()).map(c -> {
            HostKeyPins pins = new HostKeyPins(c.hostKeys().snapshot());
            String connection = c.connection().connectionArn();
            return new Deployment.Access(c.credential(), pins,
                    () -> state.writeEventually(() -> state.connections().pin(connection, pins.snapshot())));
        }).orElse(Deployment.Access.NONE);
    }
}
