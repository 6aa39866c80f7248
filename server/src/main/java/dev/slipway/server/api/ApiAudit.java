package dev.slipway.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.core.model.Shapes;
import dev.slipway.core.observe.AuditTrail;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records each call of the API server in the {@link AuditTrail} as CloudTrail records it (the guide's "Logging App
 * Runner API calls with AWS CloudTrail"): allowed or refused, with who (the access key, and the principal it
 * belongs to once the signature was verified), from where, the request and response with the guide's redactions,
 * and the error.
 */
final class ApiAudit {
    private static final Logger LOG = LoggerFactory.getLogger(ApiAudit.class);
    private static final Pattern CREDENTIAL = Pattern.compile("Credential=([A-Za-z0-9]{1,128})/");

    private final AuditTrail trail;
    private final String region;
    private final String account;

    ApiAudit(AuditTrail trail, String region, String account) {
        this.trail = trail;
        this.region = region;
        this.account = account;
    }

    /** One call, as it was answered. */
    static final class Call {
        final String requestId = UUID.randomUUID().toString();
        final Instant time = Instant.now();
        String eventName = "Unknown";
        String eventSource = "apprunner.amazonaws.com";
        /** Who made it, once its signature verified. */
        dev.slipway.core.iam.Principal principal;
        /** The access key it was made with, when not signed in the Authorization header (the console's session). */
        String accessKeyId;
        JsonNode request;
        JsonNode response;
        String errorCode;
        String errorMessage;
    }

    void record(Call call, Map<String, String> headers, String sourceIp) {
        ObjectNode r = Shapes.mapper().createObjectNode();
        r.put("eventVersion", "1.08");
        ObjectNode who = r.putObject("userIdentity");
        Optional<String> key = call.accessKeyId != null ? Optional.of(call.accessKeyId) : accessKey(headers);
        if (call.principal != null) {
            boolean user = call.principal.type() == dev.slipway.core.iam.Principal.Type.USER;
            who.put("type", user ? "IAMUser" : "AssumedRole").put("principalId", key.orElse(""))
                    .put("arn", call.principal.arn(account)).put("accountId", account).put("accessKeyId", key.orElse(""))
                    .put("userName", call.principal.name());
        } else {
            who.put("type", "Unknown"); // the signature was not verified: the key is only what the caller claimed
            key.ifPresent(k -> who.put("accessKeyId", k));
        }
        r.put("eventTime", call.time.truncatedTo(ChronoUnit.SECONDS).toString());
        r.put("eventSource", call.eventSource);
        r.put("eventName", call.eventName);
        r.put("awsRegion", region);
        r.put("sourceIPAddress", sourceIp);
        r.put("userAgent", headers.getOrDefault("user-agent", ""));
        JsonNode request = call.request;
        if (request instanceof ObjectNode o && call.eventSource.startsWith("ssm.") && o.has("Value")) {
            request = o.deepCopy().put("Value", AuditTrail.HIDDEN); // a parameter's value, SecureString or not
        }
        r.set("requestParameters", AuditTrail.redacted(request));
        r.set("responseElements", readOnly(call.eventName) ? null : AuditTrail.redacted(call.response));
        if (call.errorCode != null) {
            r.put("errorCode", call.errorCode);
            r.put("errorMessage", call.errorMessage);
        }
        r.put("requestID", call.requestId);
        r.put("eventID", UUID.randomUUID().toString());
        r.put("readOnly", readOnly(call.eventName));
        r.put("eventType", "AwsApiCall");
        r.put("managementEvent", true);
        r.put("recipientAccountId", account);
        try {
            trail.append(r);
        } catch (RuntimeException e) {
            LOG.error("the audit trail could not record request {} ({}): {}", call.requestId, call.eventName, e.getMessage());
        }
    }

    /** A call of a push webhook: recorded too, with the service and the answer (not the payload). */
    void recordWebhook(String serviceId, int status, String message, Map<String, String> headers, String sourceIp) {
        Call call = new Call();
        call.eventName = "ReceiveWebhook";
        call.request = Shapes.mapper().createObjectNode().put("ServiceId", serviceId);
        call.response = Shapes.mapper().createObjectNode().put("Status", status);
        if (status >= 400) {
            call.errorCode = status == 401 ? "UnauthorizedWebhookCall" : "WebhookCallRefused";
            call.errorMessage = message;
        }
        record(call, headers, sourceIp);
    }

    private static boolean readOnly(String action) {
        return action.startsWith("Describe") || action.startsWith("List") || action.startsWith("Get");
    }

    static Optional<String> accessKey(Map<String, String> headers) {
        Matcher m = CREDENTIAL.matcher(headers.getOrDefault("authorization", ""));
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }
}
