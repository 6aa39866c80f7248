package dev.slipway.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.core.Slipway;
import dev.slipway.core.api.ListTagsForResourceRequest;
import dev.slipway.core.iam.Decision;
import dev.slipway.core.iam.Principal;
import dev.slipway.core.iam.RequestContext;
import dev.slipway.core.model.Tag;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whether a principal may make a call, as IAM decides it for App Runner: the IAM action ({@code apprunner:<Action>},
 * {@code slipway:<Action>} for Slipway's own), the resource it acts on (the ARN the request names; for a create, the
 * ARN of the new resource's name, {@code service/<name>/*}; {@code *} for lists), and the condition keys of the request:
 * the global ones ({@code aws:SourceIp}, {@code aws:CurrentTime}, {@code aws:EpochTime}, {@code aws:SecureTransport},
 * {@code aws:username}, {@code aws:PrincipalArn}, {@code aws:PrincipalType}, {@code aws:PrincipalTag/<key>}), tags
 * ({@code aws:RequestTag/<key>} and {@code aws:TagKeys} from the request, {@code aws:ResourceTag/<key>} and
 * {@code apprunner:ResourceTag/<key>} from the resource as it is), and App Runner's ({@code apprunner:ConnectionArn},
 * {@code apprunner:AutoScalingConfigurationArn}, {@code apprunner:ObservabilityConfigurationArn},
 * {@code apprunner:VpcConnectorArn}).
 */
final class ApiAuthorization {
    private static final Set<String> SERVICE_ACTIONS = Set.of("DescribeService", "UpdateService", "DeleteService", "PauseService",
            "ResumeService", "StartDeployment", "ListOperations", "AssociateCustomDomain", "DisassociateCustomDomain",
            "DescribeCustomDomains", "Slipway.RenewCertificate", "Slipway.DescribeWebhook");

    private final Slipway slipway;
    private final String prefix;

    ApiAuthorization(Slipway slipway) {
        this.slipway = slipway;
        this.prefix = "arn:aws:apprunner:" + slipway.region() + ":" + slipway.accountId() + ":";
    }

    /** Refuses the call with AccessDeniedException unless {@code principal}'s policies allow it. */
    void authorize(Principal principal, String action, JsonNode input, String sourceIp) {
        String iamAction = action.startsWith("Slipway.") ? "slipway:" + action.substring("Slipway.".length()) : "apprunner:" + action;
        String resource = resource(action, input);
        decide(principal, new RequestContext(iamAction, resource, keys(principal, action, input, resource, sourceIp)));
    }

    /** Refuses a call of another service on this port ({@code iamAction} such as secretsmanager:GetSecretValue) on {@code resource}. */
    void authorize(Principal principal, String iamAction, String resource, String sourceIp) {
        RequestContext request = new RequestContext(iamAction, resource, keys(principal, "", 
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(), "*", sourceIp));
        decide(principal, request);
    }

    private void decide(Principal principal, RequestContext request) {
        Decision d = principal.decide(request);
        if (!d.allowed()) {
            throw new ApiException("AccessDeniedException", 400, (principal.type() == Principal.Type.USER ? "User: " : "Role: ")
                    + principal.arn(slipway.accountId()) + " is not authorized to perform: " + request.action() + " on resource: "
                    + request.resource() + (d.effect() == Decision.Effect.EXPLICIT_DENY
                    ? " with an explicit deny in an identity-based policy (" + d.statement() + ")"
                    : " because no identity-based policy allows the " + request.action() + " action"));
        }
    }

    /** The resource a call acts on. */
    private String resource(String action, JsonNode in) {
        if (SERVICE_ACTIONS.contains(action)) {
            return text(in, "ServiceArn");
        }
        return switch (action) {
            case "CreateService" -> prefix + "service/" + text(in, "ServiceName") + "/*";
            case "CreateConnection" -> prefix + "connection/" + text(in, "ConnectionName") + "/*";
            case "Slipway.CompleteConnectionHandshake" -> prefix + "connection/" + text(in, "ConnectionName") + "/*";
            case "DeleteConnection" -> text(in, "ConnectionArn");
            case "CreateAutoScalingConfiguration" -> prefix + "autoscalingconfiguration/" + text(in, "AutoScalingConfigurationName") + "/*";
            case "DescribeAutoScalingConfiguration", "DeleteAutoScalingConfiguration", "UpdateDefaultAutoScalingConfiguration",
                    "ListServicesForAutoScalingConfiguration" -> text(in, "AutoScalingConfigurationArn");
            case "CreateObservabilityConfiguration" -> prefix + "observabilityconfiguration/" + text(in, "ObservabilityConfigurationName") + "/*";
            case "DescribeObservabilityConfiguration", "DeleteObservabilityConfiguration" -> text(in, "ObservabilityConfigurationArn");
            case "CreateVpcConnector" -> prefix + "vpcconnector/" + text(in, "VpcConnectorName") + "/*";
            case "DescribeVpcConnector", "DeleteVpcConnector" -> text(in, "VpcConnectorArn");
            case "CreateVpcIngressConnection" -> prefix + "vpcingressconnection/" + text(in, "VpcIngressConnectionName") + "/*";
            case "DescribeVpcIngressConnection", "UpdateVpcIngressConnection", "DeleteVpcIngressConnection" -> text(in, "VpcIngressConnectionArn");
            case "TagResource", "UntagResource", "ListTagsForResource" -> text(in, "ResourceArn");
            default -> "*";
        };
    }

    private static String text(JsonNode in, String field) {
        JsonNode v = in.get(field);
        return v != null && v.isTextual() && !v.asText().isEmpty() ? v.asText() : "*";
    }

    private Map<String, List<String>> keys(Principal principal, String action, JsonNode in, String resource, String sourceIp) {
        Map<String, List<String>> keys = new LinkedHashMap<>();
        Instant now = Instant.now();
        keys.put("aws:SourceIp", List.of(sourceIp));
        keys.put("aws:CurrentTime", List.of(now.truncatedTo(ChronoUnit.SECONDS).toString()));
        keys.put("aws:EpochTime", List.of(Long.toString(now.getEpochSecond())));
        keys.put("aws:SecureTransport", List.of("false"));
        keys.put("aws:PrincipalArn", List.of(principal.arn(slipway.accountId())));
        keys.put("aws:PrincipalType", List.of(principal.type() == Principal.Type.USER ? "User" : "AssumedRole"));
        keys.put("aws:PrincipalAccount", List.of(slipway.accountId()));
        if (principal.type() == Principal.Type.USER) {
            keys.put("aws:username", List.of(principal.name()));
        }
        principal.tags().forEach((k, v) -> keys.put("aws:PrincipalTag/" + k, List.of(v)));
        JsonNode tags = in.path("Tags");
        if (tags.isArray() && !tags.isEmpty()) {
            List<String> names = new ArrayList<>();
            for (JsonNode t : tags) {
                names.add(t.path("Key").asText());
                keys.put("aws:RequestTag/" + t.path("Key").asText(), List.of(t.path("Value").asText()));
            }
            keys.put("aws:TagKeys", names);
        }
        if (action.equals("UntagResource") && in.path("TagKeys").isArray()) {
            List<String> names = new ArrayList<>();
            in.get("TagKeys").forEach(k -> names.add(k.asText()));
            keys.put("aws:TagKeys", names);
        }
        if (resource.startsWith(prefix) && !resource.endsWith("/*")) {
            for (Tag t : resourceTags(resource)) {
                keys.put("aws:ResourceTag/" + t.key(), List.of(t.value()));
                keys.put("apprunner:ResourceTag/" + t.key(), List.of(t.value()));
            }
        }
        put(keys, "apprunner:ConnectionArn", in.at("/SourceConfiguration/AuthenticationConfiguration/ConnectionArn"));
        put(keys, "apprunner:AutoScalingConfigurationArn", in.path("AutoScalingConfigurationArn"));
        put(keys, "apprunner:ObservabilityConfigurationArn", in.at("/ObservabilityConfiguration/ObservabilityConfigurationArn"));
        put(keys, "apprunner:VpcConnectorArn", in.at("/NetworkConfiguration/EgressConfiguration/VpcConnectorArn"));
        return keys;
    }

    private static void put(Map<String, List<String>> keys, String key, JsonNode v) {
        if (v.isTextual() && !v.asText().isEmpty()) {
            keys.put(key, List.of(v.asText()));
        }
    }

    /** The tags of the resource as it is (none if it does not exist: the call will say so, once allowed). */
    private List<Tag> resourceTags(String arn) {
        try {
            List<Tag> tags = slipway.listTagsForResource(new ListTagsForResourceRequest(arn)).tags();
            return tags == null ? List.of() : tags;
        } catch (RuntimeException e) {
            return List.of();
        }
    }
}
