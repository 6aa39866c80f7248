package dev.slipway.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.core.InvalidRequestException;
import dev.slipway.core.Slipway;
import dev.slipway.core.api.*;
import dev.slipway.core.model.ConnectionSummary;
import dev.slipway.core.model.Shapes;
import dev.slipway.core.validation.ShapeValidator;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The App Runner actions of the AWS JSON 1.0 protocol, each mapped to the Java API: the input is checked against the
 * model's input shape, read into the request record, and the response record is written back as the output shape.
 */
final class ApiActions {
    private static final Object EMPTY = Map.of();

    private final Map<String, Function<JsonNode, Object>> actions;

    ApiActions(Slipway s) {
        actions = Map.ofEntries(
                Map.entry("CreateService", in -> s.createService(read(in, CreateServiceRequest.class))),
                Map.entry("DescribeService", in -> s.describeService(read(in, DescribeServiceRequest.class))),
                Map.entry("ListServices", in -> s.listServices(read(in, ListServicesRequest.class))),
                Map.entry("UpdateService", in -> s.updateService(read(in, UpdateServiceRequest.class))),
                Map.entry("DeleteService", in -> s.deleteService(read(in, DeleteServiceRequest.class))),
                Map.entry("PauseService", in -> s.pauseService(read(in, PauseServiceRequest.class))),
                Map.entry("ResumeService", in -> s.resumeService(read(in, ResumeServiceRequest.class))),
                Map.entry("StartDeployment", in -> s.startDeployment(read(in, StartDeploymentRequest.class))),
                Map.entry("ListOperations", in -> s.listOperations(read(in, ListOperationsRequest.class))),
                Map.entry("CreateAutoScalingConfiguration", in -> s.createAutoScalingConfiguration(readAutoScaling(in))),
                Map.entry("DescribeAutoScalingConfiguration", in -> s.describeAutoScalingConfiguration(read(in, DescribeAutoScalingConfigurationRequest.class))),
                Map.entry("ListAutoScalingConfigurations", in -> s.listAutoScalingConfigurations(read(in, ListAutoScalingConfigurationsRequest.class))),
                Map.entry("DeleteAutoScalingConfiguration", in -> s.deleteAutoScalingConfiguration(read(in, DeleteAutoScalingConfigurationRequest.class))),
                Map.entry("CreateObservabilityConfiguration", in -> s.createObservabilityConfiguration(read(in, CreateObservabilityConfigurationRequest.class))),
                Map.entry("DescribeObservabilityConfiguration", in -> s.describeObservabilityConfiguration(read(in, DescribeObservabilityConfigurationRequest.class))),
                Map.entry("ListObservabilityConfigurations", in -> s.listObservabilityConfigurations(read(in, ListObservabilityConfigurationsRequest.class))),
                Map.entry("DeleteObservabilityConfiguration", in -> s.deleteObservabilityConfiguration(read(in, DeleteObservabilityConfigurationRequest.class))),
                Map.entry("UpdateDefaultAutoScalingConfiguration", in -> s.updateDefaultAutoScalingConfiguration(read(in, UpdateDefaultAutoScalingConfigurationRequest.class))),
                Map.entry("ListServicesForAutoScalingConfiguration", in -> s.listServicesForAutoScalingConfiguration(read(in, ListServicesForAutoScalingConfigurationRequest.class))),
                Map.entry("CreateVpcConnector", in -> s.createVpcConnector(read(in, CreateVpcConnectorRequest.class))),
                Map.entry("DescribeVpcConnector", in -> s.describeVpcConnector(read(in, DescribeVpcConnectorRequest.class))),
                Map.entry("ListVpcConnectors", in -> s.listVpcConnectors(read(in, ListVpcConnectorsRequest.class))),
                Map.entry("DeleteVpcConnector", in -> s.deleteVpcConnector(read(in, DeleteVpcConnectorRequest.class))),
                Map.entry("CreateVpcIngressConnection", in -> s.createVpcIngressConnection(read(in, CreateVpcIngressConnectionRequest.class))),
                Map.entry("DescribeVpcIngressConnection", in -> s.describeVpcIngressConnection(read(in, DescribeVpcIngressConnectionRequest.class))),
                Map.entry("ListVpcIngressConnections", in -> s.listVpcIngressConnections(read(in, ListVpcIngressConnectionsRequest.class))),
                Map.entry("UpdateVpcIngressConnection", in -> s.updateVpcIngressConnection(read(in, UpdateVpcIngressConnectionRequest.class))),
                Map.entry("DeleteVpcIngressConnection", in -> s.deleteVpcIngressConnection(read(in, DeleteVpcIngressConnectionRequest.class))),
                Map.entry("CreateConnection", in -> s.createConnection(read(in, CreateConnectionRequest.class))),
                Map.entry("ListConnections", in -> s.listConnections(read(in, ListConnectionsRequest.class))),
                Map.entry("DeleteConnection", in -> s.deleteConnection(read(in, DeleteConnectionRequest.class))),
                Map.entry("TagResource", in -> {
                    s.tagResource(read(in, TagResourceRequest.class));
                    return EMPTY;
                }),
                Map.entry("UntagResource", in -> {
                    s.untagResource(read(in, UntagResourceRequest.class));
                    return EMPTY;
                }),
                Map.entry("AssociateCustomDomain", in -> s.associateCustomDomain(read(in, AssociateCustomDomainRequest.class))),
                Map.entry("DisassociateCustomDomain", in -> s.disassociateCustomDomain(read(in, DisassociateCustomDomainRequest.class))),
                Map.entry("DescribeCustomDomains", in -> s.describeCustomDomains(read(in, DescribeCustomDomainsRequest.class))),
                Map.entry("ListTagsForResource", in -> s.listTagsForResource(read(in, ListTagsForResourceRequest.class))),
                Map.entry("Slipway.CompleteConnectionHandshake", in -> completeHandshake(s, in)),
                Map.entry("Slipway.DescribeWebhook", in -> {
                    ShapeValidator.instance().validate("DescribeServiceRequest",
                            Shapes.mapper().createObjectNode().put("ServiceArn", in.path("ServiceArn").asText("")));
                    var webhook = s.webhook(in.path("ServiceArn").asText(), in.path("RotateSecret").asBoolean(false));
                    return Map.of("WebhookPath", webhook.path(), "Secret", webhook.secret());
                }),
                Map.entry("Slipway.RenewCertificate", in -> {
                    ShapeValidator.instance().validate("DisassociateCustomDomainRequest", in); // the same two members
                    s.renewCertificate(in.path("ServiceArn").asText(), in.path("DomainName").asText());
                    return EMPTY;
                }));
    }

    /** Runs {@code action} on {@code input}; the result is the output shape's record (or an empty object). */
    Object invoke(String action, JsonNode input) {
        Function<JsonNode, Object> f = actions.get(action);
        if (f == null) {
            throw new ApiException("UnknownOperationException", 400, "Unknown action AppRunner." + action
                    + "; Slipway speaks the App Runner API (2020-05-15): " + new TreeSet<>(actions.keySet()));
        }
        return f.apply(input);
    }

    /**
     * {@code Slipway.CompleteConnectionHandshake}: {@code {"ConnectionName": ..., "Token": ...}} or
     * {@code {"ConnectionName": ..., "SshPrivateKey": ...}} makes a PENDING_HANDSHAKE connection AVAILABLE;
     * answers {@code {"Connection": ...}}.
     */
    private static Object completeHandshake(Slipway s, JsonNode in) {
        String name = in.path("ConnectionName").asText("");
        String token = in.path("Token").asText("");
        String key = in.path("SshPrivateKey").asText("");
        ShapeValidator.instance().validate("ListConnectionsRequest",
                Shapes.mapper().createObjectNode().put("ConnectionName", name));
        if (token.isBlank() == key.isBlank()) {
            throw new InvalidRequestException("Give exactly one of Token (an access token, for HTTPS) and SshPrivateKey "
                    + "(a private key, for SSH)");
        }
        ConnectionSummary c = s.listConnections(new ListConnectionsRequest(name, null, null)).connectionSummaryList().stream()
                .findFirst().orElseThrow(() -> new dev.slipway.core.ResourceNotFoundException("No connection named " + name));
        return Map.of("Connection", token.isBlank() ? s.completeConnectionHandshakeWithSshKey(c.connectionArn(), key)
                : s.completeConnectionHandshake(c.connectionArn(), token));
    }

    /**
     * MinSize 0 is left for the control plane to decide (scale to zero, when the server allows it): the rest of the
     * request is checked against the model as usual.
     */
    private static CreateAutoScalingConfigurationRequest readAutoScaling(JsonNode input) {
        if (input.path("MinSize").isIntegralNumber() && input.path("MinSize").asLong() == 0) {
            ShapeValidator.instance().validate("CreateAutoScalingConfigurationRequest", ((com.fasterxml.jackson.databind.node.ObjectNode)
                    input.deepCopy()).put("MinSize", 1));
            return convert(input, CreateAutoScalingConfigurationRequest.class);
        }
        return read(input, CreateAutoScalingConfigurationRequest.class);
    }

    private static <T> T read(JsonNode input, Class<T> type) {
        ShapeValidator.instance().validate(type.getSimpleName(), input);
        return convert(input, type);
    }

    private static <T> T convert(JsonNode input, Class<T> type) {
        String shape = type.getSimpleName();
        try {
            return Shapes.mapper().treeToValue(input, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new ApiException("SerializationException", 400, "Cannot read the " + shape + ": " + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
    }
}
