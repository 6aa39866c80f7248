package dev.slipway.core.internal.control;

import dev.slipway.core.InvalidRequestException;
import dev.slipway.core.ResourceNotFoundException;
import dev.slipway.core.api.*;
import dev.slipway.core.model.AutoScalingConfiguration;
import dev.slipway.core.model.AutoScalingConfigurationSummary;
import dev.slipway.core.model.Connection;
import dev.slipway.core.model.ConnectionSummary;
import dev.slipway.core.model.ObservabilityConfiguration;
import dev.slipway.core.model.ObservabilityConfigurationSummary;
import dev.slipway.core.model.VpcConnector;
import dev.slipway.core.source.RepositoryCredential;
import dev.slipway.core.validation.ShapeValidator;
import java.util.List;
import java.util.Optional;

/** The actions on what services use: auto scaling configurations, connections, and tags of every resource. */
public final class ResourceActions implements dev.slipway.core.secrets.Secrets {
    private static final ShapeValidator VALIDATOR = ShapeValidator.instance();

    private final ControlState state;

    /** Whether auto scaling configurations may have MinSize 0 (scale to zero, a Slipway extension). */
    private final boolean scaleToZero;

    /** The security groups this Slipway defines ({@code --security-group}), which VPC connectors may name. */
    private final java.util.Set<String> securityGroups;

    public ResourceActions(ControlState state, boolean scaleToZero, java.util.Set<String> securityGroups) {
        this.scaleToZero = scaleToZero;
        this.state = state;
        this.securityGroups = java.util.Set.copyOf(securityGroups);
    }

    // ---------------------------------------------------------------- auto scaling configurations

    public CreateAutoScalingConfigurationResponse createAutoScalingConfiguration(CreateAutoScalingConfigurationRequest r) {
        boolean toZero = r.minSize() != null && r.minSize() == 0;
        try { // the model's MinSize is 1 to 25; 0 is this server's extension when it allows it
            VALIDATOR.validate("CreateAutoScalingConfigurationRequest", toZero && scaleToZero ? new CreateAutoScalingConfigurationRequest(
                    r.autoScalingConfigurationName(), r.maxConcurrency(), 1, r.maxSize(), r.tags()) : r);
        } catch (dev.slipway.core.InvalidRequestException e) {
            throw toZero && !scaleToZero ? new dev.slipway.core.InvalidRequestException(e.getMessage() + " (MinSize 0, scale to "
                    + "zero, is a Slipway extension this server does not allow: start it with --allow-scale-to-zero)") : e;
        }
        return state.write(() -> {
            AutoScalingConfiguration c = state.autoScaling().create(r.autoScalingConfigurationName(), r.maxConcurrency(),
                    r.minSize(), r.maxSize(), state.autoScalingInUse());
            state.tags().add(c.autoScalingConfigurationArn(), r.tags());
            return new CreateAutoScalingConfigurationResponse(c);
        });
    }

    public DescribeAutoScalingConfigurationResponse describeAutoScalingConfiguration(DescribeAutoScalingConfigurationRequest r) {
        VALIDATOR.validate("DescribeAutoScalingConfigurationRequest", r);
        return state.read(() -> new DescribeAutoScalingConfigurationResponse(
                state.autoScaling().describe(r.autoScalingConfigurationArn(), state.autoScalingInUse())));
    }

    public ListAutoScalingConfigurationsResponse listAutoScalingConfigurations(ListAutoScalingConfigurationsRequest r) {
        VALIDATOR.validate("ListAutoScalingConfigurationsRequest", r);
        return state.read(() -> {
            List<AutoScalingConfigurationSummary> all = state.autoScaling().list(Optional.ofNullable(r.autoScalingConfigurationName()),
                    r.latestOnly() == null || r.latestOnly(), state.autoScalingInUse()).stream().map(AutoScalingConfiguration::summary).toList();
            Pages.Page<AutoScalingConfigurationSummary> page = Pages.page(all, r.maxResults(), r.nextToken(), 100);
            return new ListAutoScalingConfigurationsResponse(page.items(), page.nextToken());
        });
    }

    public DeleteAutoScalingConfigurationResponse deleteAutoScalingConfiguration(DeleteAutoScalingConfigurationRequest r) {
        VALIDATOR.validate("DeleteAutoScalingConfigurationRequest", r);
        return state.write(() -> {
            AutoScalingConfiguration c = state.autoScaling().delete(r.autoScalingConfigurationArn(),
                    Boolean.TRUE.equals(r.deleteAllRevisions()), state.autoScalingInUse());
            state.tags().forget(c.autoScalingConfigurationArn());
            return new DeleteAutoScalingConfigurationResponse(c);
        });
    }

    public UpdateDefaultAutoScalingConfigurationResponse updateDefaultAutoScalingConfiguration(UpdateDefaultAutoScalingConfigurationRequest r) {
        VALIDATOR.validate("UpdateDefaultAutoScalingConfigurationRequest", r);
        return state.write(() -> new UpdateDefaultAutoScalingConfigurationResponse(
                state.autoScaling().makeDefault(r.autoScalingConfigurationArn(), state.autoScalingInUse())));
    }

    public ListServicesForAutoScalingConfigurationResponse listServicesForAutoScalingConfiguration(
            ListServicesForAutoScalingConfigurationRequest r) {
        VALIDATOR.validate("ListServicesForAutoScalingConfigurationRequest", r);
        return state.read(() -> {
            String resolved = state.autoScaling().resolveArn(r.autoScalingConfigurationArn(), "autoScalingConfigurationArn");
            List<String> all = state.allServices().stream().filter(s -> s.spec().autoScalingArn().equals(resolved))
                    .map(ServiceRecord::arn).toList();
            Pages.Page<String> page = Pages.page(all, r.maxResults(), r.nextToken(), 100);
            return new ListServicesForAutoScalingConfigurationResponse(page.items(), page.nextToken());
        });
    }

    // ---------------------------------------------------------------- observability configurations

    public CreateObservabilityConfigurationResponse createObservabilityConfiguration(CreateObservabilityConfigurationRequest r) {
        VALIDATOR.validate("CreateObservabilityConfigurationRequest", r);
        return state.write(() -> {
            ObservabilityConfiguration c = state.observability().create(r.observabilityConfigurationName(), r.traceConfiguration());
            state.tags().add(c.observabilityConfigurationArn(), r.tags());
            return new CreateObservabilityConfigurationResponse(c);
        });
    }

    public DescribeObservabilityConfigurationResponse describeObservabilityConfiguration(DescribeObservabilityConfigurationRequest r) {
        VALIDATOR.validate("DescribeObservabilityConfigurationRequest", r);
        return state.read(() -> new DescribeObservabilityConfigurationResponse(
                state.observability().describe(r.observabilityConfigurationArn(), "ObservabilityConfigurationArn")));
    }

    public ListObservabilityConfigurationsResponse listObservabilityConfigurations(ListObservabilityConfigurationsRequest r) {
        VALIDATOR.validate("ListObservabilityConfigurationsRequest", r);
        return state.read(() -> {
            List<ObservabilityConfigurationSummary> all = state.observability().list(Optional.ofNullable(r.observabilityConfigurationName()),
                    r.latestOnly() == null || r.latestOnly()).stream().map(ObservabilityConfiguration::summary).toList();
            Pages.Page<ObservabilityConfigurationSummary> page = Pages.page(all, r.maxResults(), r.nextToken(), 100);
            return new ListObservabilityConfigurationsResponse(page.items(), page.nextToken());
        });
    }

    public DeleteObservabilityConfigurationResponse deleteObservabilityConfiguration(DeleteObservabilityConfigurationRequest r) {
        VALIDATOR.validate("DeleteObservabilityConfigurationRequest", r);
        return state.write(() -> {
            ObservabilityConfiguration c = state.observability().delete(r.observabilityConfigurationArn(), state::observabilityInUse);
            state.tags().forget(c.observabilityConfigurationArn());
            return new DeleteObservabilityConfigurationResponse(c);
        });
    }

    // ---------------------------------------------------------------- VPC connectors

    public CreateVpcConnectorResponse createVpcConnector(CreateVpcConnectorRequest r) {
        VALIDATOR.validate("CreateVpcConnectorRequest", r);
        return state.write(() -> {
            VpcConnector c = state.vpcConnectors().create(r.vpcConnectorName(), r.subnets(), r.securityGroups(), securityGroups);
            state.tags().add(c.vpcConnectorArn(), r.tags());
            return new CreateVpcConnectorResponse(c);
        });
    }

    public DescribeVpcConnectorResponse describeVpcConnector(DescribeVpcConnectorRequest r) {
        VALIDATOR.validate("DescribeVpcConnectorRequest", r);
        return state.read(() -> new DescribeVpcConnectorResponse(state.vpcConnectors().describe(r.vpcConnectorArn())));
    }

    public ListVpcConnectorsResponse listVpcConnectors(ListVpcConnectorsRequest r) {
        VALIDATOR.validate("ListVpcConnectorsRequest", r);
        return state.read(() -> {
            Pages.Page<VpcConnector> page = Pages.page(state.vpcConnectors().list(), r.maxResults(), r.nextToken(), 100);
            return new ListVpcConnectorsResponse(page.items(), page.nextToken());
        });
    }

    public DeleteVpcConnectorResponse deleteVpcConnector(DeleteVpcConnectorRequest r) {
        VALIDATOR.validate("DeleteVpcConnectorRequest", r);
        return state.write(() -> {
            VpcConnector c = state.vpcConnectors().delete(r.vpcConnectorArn(), state::vpcConnectorInUse);
            state.tags().forget(c.vpcConnectorArn());
            return new DeleteVpcConnectorResponse(c);
        });
    }

    // ---------------------------------------------------------------- the secret store

    @Override
    public dev.slipway.core.secrets.SecretValue createSecret(String name, String value, String description) {
        return state.write(() -> state.secrets().create(name, value, description));
    }

    @Override
    public dev.slipway.core.secrets.SecretValue putSecretValue(String secretId, String value) {
        return state.write(() -> state.secrets().put(secretId, value));
    }

    @Override
    public dev.slipway.core.secrets.SecretValue getSecretValue(String secretId, Optional<String> versionId) {
        return state.read(() -> state.secrets().get(secretId, versionId));
    }

    @Override
    public dev.slipway.core.secrets.SecretSummary deleteSecret(String secretId) {
        return state.write(() -> state.secrets().delete(secretId));
    }

    @Override
    public List<dev.slipway.core.secrets.SecretSummary> listSecrets() {
        return state.read(() -> state.secrets().list());
    }

    @Override
    public dev.slipway.core.secrets.Parameter putParameter(String name, String type, String value, boolean overwrite) {
        return state.write(() -> state.secrets().putParameter(name, type, value, overwrite));
    }

    @Override
    public dev.slipway.core.secrets.Parameter getParameter(String name) {
        return state.read(() -> state.secrets().getParameter(name));
    }

    @Override
    public void deleteParameter(String name) {
        state.write(() -> state.secrets().deleteParameter(name));
    }

    // ---------------------------------------------------------------- connections

    public CreateConnectionResponse createConnection(CreateConnectionRequest r) {
        VALIDATOR.validate("CreateConnectionRequest", r);
        return state.write(() -> {
            Connection c = state.connections().create(r.connectionName(), r.providerType());
            state.tags().add(c.connectionArn(), r.tags());
            return new CreateConnectionResponse(c);
        });
    }

    public ListConnectionsResponse listConnections(ListConnectionsRequest r) {
        VALIDATOR.validate("ListConnectionsRequest", r);
        return state.read(() -> {
            List<ConnectionSummary> all = state.connections().all().stream().map(Connections.Stored::connection)
                    .filter(c -> r.connectionName() == null || c.connectionName().equals(r.connectionName()))
                    .map(ConnectionSummary::of).toList();
            Pages.Page<ConnectionSummary> page = Pages.page(all, r.maxResults(), r.nextToken(), 100);
            return new ListConnectionsResponse(page.items(), page.nextToken());
        });
    }

    public DeleteConnectionResponse deleteConnection(DeleteConnectionRequest r) {
        VALIDATOR.validate("DeleteConnectionRequest", r);
        return state.write(() -> {
            List<String> users = state.allServices().stream().filter(s -> s.spec().source().authenticationConfiguration() != null
                    && r.connectionArn().equals(s.spec().source().authenticationConfiguration().connectionArn()))
                    .map(ServiceRecord::name).toList();
            Connection deleted = state.connections().delete(r.connectionArn(), users);
            state.tags().forget(r.connectionArn());
            return new DeleteConnectionResponse(deleted);
        });
    }

    /** Completes a connection's handshake with an access token or SSH key: it becomes AVAILABLE. */
    public Connection completeConnectionHandshake(String connectionArn, RepositoryCredential credential) {
        return state.write(() -> state.connections().completeHandshake(connectionArn, credential));
    }

    // ---------------------------------------------------------------- tags

    public void tagResource(TagResourceRequest r) {
        VALIDATOR.validate("TagResourceRequest", r);
        state.write(() -> {
            if (requireResource(r.resourceArn())) {
                ServiceRecord s = state.service(r.resourceArn());
                java.util.Map<String, String> tags = Tags.merged(s.arn(), s.tags(), r.tags());
                ServiceExtensions.check(tags, s.host());
                state.put(s.withTags(tags));
            } else {
                state.tags().add(r.resourceArn(), r.tags());
            }
        });
    }

    public void untagResource(UntagResourceRequest r) {
        VALIDATOR.validate("UntagResourceRequest", r);
        state.write(() -> {
            if (requireResource(r.resourceArn())) {
                ServiceRecord s = state.service(r.resourceArn());
                state.put(s.withTags(Tags.without(s.tags(), r.tagKeys())));
            } else {
                state.tags().remove(r.resourceArn(), r.tagKeys());
            }
        });
    }

    public ListTagsForResourceResponse listTagsForResource(ListTagsForResourceRequest r) {
        VALIDATOR.validate("ListTagsForResourceRequest", r);
        return state.read(() -> {
            return new ListTagsForResourceResponse(requireResource(r.resourceArn())
                    ? Tags.list(state.service(r.resourceArn()).tags()) : state.tags().of(r.resourceArn()));
        });
    }

    /** Checks that the resource exists; whether it is a service (which keeps its own tags). */
    private boolean requireResource(String arn) {
        String type = state.arns.typeOf(arn, "resourceArn");
        boolean exists = switch (type) {
            case "service" -> state.exists(arn);
            case "connection" -> state.connections().exists(arn);
            case "autoscalingconfiguration" -> state.autoScaling().exists(arn);
            case "observabilityconfiguration" -> state.observability().exists(arn);
            case "vpcconnector" -> state.vpcConnectors().active(arn, "resourceArn").isPresent();
            default -> throw new InvalidRequestException("resourceArn '" + arn + "' names a " + type + ", which Slipway does "
                    + "not tag; tag services, connections, auto scaling and observability configurations, and VPC connectors");
        };
        if (!exists) {
            throw new ResourceNotFoundException("No resource " + arn);
        }
        return type.equals("service");
    }
}
