package dev.slipway.server.api;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The push events of GitHub, GitLab and Gitea as each provider shapes and signs them (the field names and headers of
 * their webhook documentation), posted to a Slipway webhook.
 */
final class PushPayloads {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    enum Provider { GITHUB, GITLAB, GITEA }

    /** A call as it will be sent: headers and body. */
    record Call(Map<String, String> headers, String body) {
        Call withHeader(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Call(h, body);
        }

        Call without(String name) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.remove(name);
            return new Call(h, body);
        }

        /** Posts it to {@code url}; the status and body of the answer. */
        HttpResponse<String> post(String url) throws Exception {
            HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body));
            headers.forEach(r::header);
            return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    /** A push of {@code commit} to {@code branch} of the repository at {@code url}, signed with {@code secret}. */
    static Call push(Provider provider, String secret, String url, String branch, String before, String commit, String message) {
        String delivery = UUID.randomUUID().toString();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        String body = switch (provider) {
            case GITHUB, GITEA -> """
                    {"ref":"refs/heads/%s","before":"%s","after":"%s","created":false,"deleted":false,"forced":false,
                     "compare":"https://example.com/ada/app/compare/%s...%s",
                     "commits":[{"id":"%s","message":"%s","timestamp":"2026-12-05T15:00:00Z",
                       "author":{"name":"Ada Lovelace","email":"ada@example.com","username":"ada"},"added":[],"removed":[],"modified":["server.py"]}],
                     "head_commit":{"id":"%s","message":"%s","timestamp":"2026-12-05T15:00:00Z",
                       "author":{"name":"Ada Lovelace","email":"ada@example.com","username":"ada"}},
                     "repository":{"id":1296269,"name":"app","full_name":"ada/app","private":false,
                       "html_url":"https://example.com/ada/app","clone_url":"%s","ssh_url":"git@example.com:ada/app.git",
                       "default_branch":"main"},
                     "pusher":{"name":"ada","email":"ada@example.com"},"sender":{"login":"ada","id":1}}
                    """.formatted(branch, before, commit, before, commit, commit, message, commit, message, url);
            case GITLAB -> """
                    {"object_kind":"push","event_name":"push","before":"%s","after":"%s","ref":"refs/heads/%s",
                     "ref_protected":true,"checkout_sha":"%s","user_id":4,"user_name":"Ada Lovelace","user_username":"ada",
                     "user_email":"ada@example.com","project_id":15,
                     "project":{"id":15,"name":"app","web_url":"https://gitlab.example.com/ada/app",
                       "git_ssh_url":"git@gitlab.example.com:ada/app.git","git_http_url":"%s","namespace":"ada",
                       "path_with_namespace":"ada/app","default_branch":"main"},
                     "commits":[{"id":"%s","message":"%s","title":"%s","timestamp":"2026-12-05T15:00:00+00:00",
                       "author":{"name":"Ada Lovelace","email":"ada@example.com"},"added":[],"modified":["server.py"],"removed":[]}],
                     "total_commits_count":1,
                     "repository":{"name":"app","url":"git@gitlab.example.com:ada/app.git","homepage":"https://gitlab.example.com/ada/app",
                       "git_http_url":"%s","git_ssh_url":"git@gitlab.example.com:ada/app.git","visibility_level":0}}
                    """.formatted(before, commit, branch, commit, url, commit, message, message, url);
        };
        switch (provider) {
            case GITHUB -> {
                headers.put("X-GitHub-Event", "push");
                headers.put("X-GitHub-Delivery", delivery);
                headers.put("X-GitHub-Hook-ID", "292430182");
                headers.put("User-Agent", "GitHub-Hookshot/044aadd");
                headers.put("X-Hub-Signature-256", "sha256=" + hmac(secret, body));
            }
            case GITEA -> {
                headers.put("X-Gitea-Event", "push");
                headers.put("X-Gitea-Event-Type", "push");
                headers.put("X-Gitea-Delivery", delivery);
                headers.put("X-GitHub-Event", "push"); // Gitea sends GitHub's headers too
                headers.put("X-GitHub-Delivery", delivery);
                headers.put("X-Gitea-Signature", hmac(secret, body));
                headers.put("X-Hub-Signature-256", "sha256=" + hmac(secret, body));
            }
            case GITLAB -> {
                headers.put("X-Gitlab-Event", "Push Hook");
                headers.put("X-Gitlab-Event-UUID", delivery);
                headers.put("X-Gitlab-Webhook-UUID", "2a4f3b4b-0000-4000-8000-000000000000");
                headers.put("X-Gitlab-Instance", "https://gitlab.example.com");
                headers.put("X-Gitlab-Token", secret);
            }
        }
        return new Call(headers, body);
    }

    /** GitHub's ping, sent when a webhook is created. */
    static Call githubPing(String secret) {
        String body = "{\"zen\":\"Keep it logically awesome.\",\"hook_id\":292430182,\"hook\":{\"type\":\"Repository\",\"events\":[\"push\"]}}";
        return new Call(Map.of("Content-Type", "application/json", "X-GitHub-Event", "ping", "X-GitHub-Delivery",
                UUID.randomUUID().toString(), "X-Hub-Signature-256", "sha256=" + hmac(secret, body)), body);
    }

    static String hmac(String secret, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
