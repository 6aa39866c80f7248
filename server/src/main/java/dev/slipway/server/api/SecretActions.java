package dev.slipway.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.core.InvalidRequestException;
import dev.slipway.core.ResourceNotFoundException;
import dev.slipway.core.SlipwayException;
import dev.slipway.core.Slipway;
import dev.slipway.core.model.Shapes;
import dev.slipway.core.secrets.Parameter;
import dev.slipway.core.secrets.SecretSummary;
import dev.slipway.core.secrets.SecretValue;
import java.time.Instant;
import java.util.Optional;

/**
 * The part of AWS Secrets Manager ({@code X-Amz-Target: secretsmanager.<Action>}) and SSM Parameter Store
 * ({@code AmazonSSM.<Action>}) that App Runner users use, on the API port over Slipway's secret store, so the
 * unmodified AWS CLI manages it ({@code aws secretsmanager ... --endpoint-url}): CreateSecret, PutSecretValue,
 * GetSecretValue, DeleteSecret, ListSecrets; PutParameter, GetParameter, DeleteParameter. Errors in those services'
 * own words (ResourceExistsException, ResourceNotFoundException; ParameterAlreadyExists, ParameterNotFound).
 */
final class SecretActions {
    static final String SECRETS_PREFIX = "secretsmanager.";
    static final String SSM_PREFIX = "AmazonSSM.";

    private final Slipway slipway;

    SecretActions(Slipway slipway) {
        this.slipway = slipway;
    }

    /** Answers {@code action} of Secrets Manager ({@code ssm} false) or SSM. */
    JsonNode invoke(boolean ssm, String action, JsonNode in) {
        try {
            return ssm ? ssm(action, in) : secrets(action, in);
        } catch (dev.slipway.core.internal.control.SecretStore.ResourceExistsException e) {
            throw new ApiException(ssm ? "ParameterAlreadyExists" : "ResourceExistsException", 400, e.getMessage());
        } catch (ResourceNotFoundException e) {
            throw new ApiException(ssm ? "ParameterNotFound" : "ResourceNotFoundException", 400, e.getMessage());
        } catch (InvalidRequestException e) {
            throw new ApiException(ssm ? "ValidationException" : "InvalidParameterException", 400, e.getMessage());
        } catch (SlipwayException e) {
            throw new ApiException(e.errorCode(), e.isClientError() ? 400 : 500, e.getMessage());
        }
    }

    private JsonNode secrets(String action, JsonNode in) {
        ObjectNode out = Shapes.mapper().createObjectNode();
        switch (action) {
            case "CreateSecret" -> {
                SecretValue v = slipway.secrets().createSecret(text(in, "Name"), text(in, "SecretString"), optional(in, "Description"));
                out.put("ARN", v.arn()).put("Name", v.name()).put("VersionId", v.versionId());
            }
            case "PutSecretValue" -> {
                SecretValue v = slipway.secrets().putSecretValue(text(in, "SecretId"), text(in, "SecretString"));
                out.put("ARN", v.arn()).put("Name", v.name()).put("VersionId", v.versionId());
                out.putArray("VersionStages").add("AWSCURRENT");
            }
            case "GetSecretValue" -> {
                SecretValue v = slipway.secrets().getSecretValue(text(in, "SecretId"), Optional.ofNullable(optional(in, "VersionId")));
                out.put("ARN", v.arn()).put("Name", v.name()).put("VersionId", v.versionId()).put("SecretString", v.value())
                        .put("CreatedDate", seconds(v.createdDate()));
            }
            case "DeleteSecret" -> {
                SecretSummary s = slipway.secrets().deleteSecret(text(in, "SecretId"));
                out.put("ARN", s.arn()).put("Name", s.name()).put("DeletionDate", seconds(Instant.now()));
            }
            case "ListSecrets" -> {
                ArrayNode list = out.putArray("SecretList");
                for (SecretSummary s : slipway.secrets().listSecrets()) {
                    ObjectNode e = list.addObject().put("ARN", s.arn()).put("Name", s.name())
                            .put("CreatedDate", seconds(s.createdDate())).put("LastChangedDate", seconds(s.lastChangedDate()));
                    if (s.description() != null) {
                        e.put("Description", s.description());
                    }
                }
            }
            default -> throw new ApiException("UnknownOperationException", 400, "Slipway's secret store answers CreateSecret, "
                    + "PutSecretValue, GetSecretValue, DeleteSecret and ListSecrets, not " + action);
        }
        return out;
    }

    private JsonNode ssm(String action, JsonNode in) {
        ObjectNode out = Shapes.mapper().createObjectNode();
        switch (action) {
            case "PutParameter" -> {
                Parameter p = slipway.secrets().putParameter(text(in, "Name"), Optional.ofNullable(optional(in, "Type")).orElse("String"),
                        text(in, "Value"), in.path("Overwrite").asBoolean(false));
                out.put("Version", p.version()).put("Tier", "Standard");
            }
            case "GetParameter" -> {
                Parameter p = slipway.secrets().getParameter(text(in, "Name"));
                boolean plain = !p.type().equals("SecureString") || in.path("WithDecryption").asBoolean(false);
                out.putObject("Parameter").put("Name", p.name()).put("Type", p.type())
                        .put("Value", plain ? p.value() : "(encrypted: ask WithDecryption)").put("Version", p.version())
                        .put("ARN", p.arn()).put("LastModifiedDate", seconds(p.lastModifiedDate())).put("DataType", "text");
            }
            case "DeleteParameter" -> slipway.secrets().deleteParameter(text(in, "Name"));
            default -> throw new ApiException("UnknownOperationException", 400, "Slipway's parameter store answers PutParameter, "
                    + "GetParameter and DeleteParameter, not " + action);
        }
        return out;
    }

    /** The resource an action acts on, for authorization: the secret's or parameter's ARN (by name: its ARN's start). */
    static String resource(boolean ssm, JsonNode in, String region, String account) {
        if (ssm) {
            String name = in.path("Name").asText("");
            return name.startsWith("arn:") ? name : "arn:aws:ssm:" + region + ":" + account + ":parameter/"
                    + (name.startsWith("/") ? name.substring(1) : name);
        }
        String id = in.path("SecretId").asText(in.path("Name").asText(""));
        return id.isEmpty() ? "*" : id.startsWith("arn:") ? id : "arn:aws:secretsmanager:" + region + ":" + account + ":secret:" + id;
    }

    private static String text(JsonNode in, String field) {
        JsonNode v = in.get(field);
        if (v == null || !v.isTextual()) {
            throw new ApiException("ValidationException", 400, field + " is required (a string)");
        }
        return v.asText();
    }

    private static String optional(JsonNode in, String field) {
        JsonNode v = in.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    private static double seconds(Instant t) {
        return t.getEpochSecond() + t.getNano() / 1e9;
    }
}
