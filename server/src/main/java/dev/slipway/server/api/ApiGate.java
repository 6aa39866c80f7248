package dev.slipway.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.core.SlipwayException;
import dev.slipway.core.iam.Principal;
import dev.slipway.core.model.Shapes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's actions for callers that are not signed requests (the web console, for a signed-in principal): each call is
 * authorized with the principal's policies, answered and recorded in the audit trail exactly as the same call over the
 * API would be.
 */
public final class ApiGate {
    private static final Logger LOG = LoggerFactory.getLogger(ApiGate.class);

    private final ApiActions actions;
    private final ApiAuthorization authorization;
    private final ApiAudit audit;
    private final ApiKeys keys;

    ApiGate(ApiActions actions, ApiAuthorization authorization, ApiAudit audit, ApiKeys keys) {
        this.actions = actions;
        this.authorization = authorization;
        this.audit = audit;
        this.keys = keys;
    }

    /** What a call answered: its output, or the error the API would have answered ({@code code}, {@code message}). */
    public record Answer(JsonNode output, String code, String message) {
        public boolean ok() {
            return code == null;
        }
    }

    /**
     * The principal whose access key this is, if {@code secretAccessKey} is its secret (compared in constant time). An
     * instance role's temporary key does not sign in: it needs its session token, and a console is for people.
     */
    public Optional<Principal> signIn(String accessKeyId, String secretAccessKey) {
        Optional<String> secret = keys.secret(accessKeyId, Map.of());
        if (secret.isEmpty() || !MessageDigest.isEqual(secret.get().getBytes(StandardCharsets.UTF_8),
                secretAccessKey.getBytes(StandardCharsets.UTF_8))) {
            return Optional.empty();
        }
        return keys.principal(accessKeyId, Map.of());
    }

    /** The principal of {@code accessKeyId} now (a principals file reloaded since sign-in may have removed or changed it). */
    public Optional<Principal> principal(String accessKeyId) {
        return keys.principal(accessKeyId, Map.of());
    }

    /** Whether {@code principal} may call {@code action} with {@code input} (nothing is recorded: no call is made). */
    public boolean allows(Principal principal, String action, JsonNode input, String from) {
        try {
            authorization.authorize(principal, action, input, from);
            return true;
        } catch (ApiException e) {
            return false;
        }
    }

    /** Calls {@code action} as {@code principal} with {@code accessKeyId}, as the API would; recorded with {@code userAgent}. */
    public Answer call(Principal principal, String accessKeyId, String action, JsonNode input, String from, String userAgent) {
        ApiAudit.Call call = new ApiAudit.Call();
        call.eventName = action;
        call.principal = principal;
        call.accessKeyId = accessKeyId;
        call.request = input;
        Answer answer;
        try {
            authorization.authorize(principal, action, input, from);
            JsonNode output = Shapes.mapper().valueToTree(actions.invoke(action, input));
            call.response = output;
            answer = new Answer(output, null, null);
        } catch (ApiException e) {
            answer = new Answer(null, e.code(), e.getMessage());
        } catch (SlipwayException e) {
            answer = new Answer(null, e.errorCode(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("{} {} failed", call.requestId, action, e);
            answer = new Answer(null, "InternalServiceErrorException", "An unexpected error occurred in Slipway (request "
                    + call.requestId + "); the server log has the details");
        }
        if (!answer.ok()) {
            call.errorCode = answer.code();
            call.errorMessage = answer.message();
        }
        audit.record(call, Map.of("user-agent", userAgent), from);
        return answer;
    }
}
