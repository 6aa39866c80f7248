package dev.slipway.server.api;

import dev.slipway.core.Slipway;
import dev.slipway.core.model.Shapes;
import dev.slipway.core.push.WebhookAnswer;
import dev.slipway.core.push.WebhookDelivery;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls of the push webhooks on the API port ({@code /webhooks/<service-id>}): signed by the provider, not SigV4. */
final class WebhookCalls {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookCalls.class);
    /** Where push webhooks are called: {@code /webhooks/<service-id>}. */
    static final String PATH = "/webhooks/";

    private final Slipway slipway;
    private final ApiAudit audit;

    WebhookCalls(Slipway slipway, ApiAudit audit) {
        this.slipway = slipway;
        this.audit = audit;
    }

    /**
     * {@code POST /webhooks/<service-id>}: a push from GitHub, GitLab, Gitea or a Docker registry, answered at once
     * ({@code {"message": ...}}); the deployment it may start runs on.
     */
FullHttpResponse answer(String method, String uri, Map<String, String> headers, byte[] body, String from) {
        String serviceId = uri.substring(PATH.length()).replaceFirst("[?#].*", "");
        WebhookAnswer answer;
        if (!method.equals("POST")) {
            answer = new WebhookAnswer(405, "A webhook is called with POST, not " + method);
        } else if (!serviceId.matches("[0-9a-f]{32}")) {
            answer = new WebhookAnswer(404, "No webhook at " + uri + "; 'slipway webhook show --service-arn ARN' prints a service's");
        } else {
            try {
                answer = slipway.receiveWebhook(serviceId, new WebhookDelivery(headers, body, from));
            } catch (RuntimeException e) {
                LOG.error("webhook call {} failed", uri, e);
                answer = new WebhookAnswer(500, "The webhook call could not be handled; the server log has the details");
            }
        }
        audit.recordWebhook(serviceId, answer.status(), answer.message(), headers, from);
        byte[] bytes = Shapes.mapper().createObjectNode().put("message", answer.message()).toString().getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(answer.status()),
                Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        HttpUtil.setContentLength(r, bytes.length);
        return r;
    }
}
