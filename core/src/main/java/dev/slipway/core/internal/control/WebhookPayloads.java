package dev.slipway.core.internal.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.core.push.WebhookDelivery;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Reads the push events of GitHub, GitLab, Gitea and the Docker distribution registry, each in its provider's own
 * shape, after checking each provider's own proof that the caller knows the secret: GitHub's
 * {@code X-Hub-Signature-256} ({@code sha256=} and the hex HMAC-SHA256 of the body), Gitea's {@code X-Gitea-Signature}
 * (the same HMAC, bare hex), GitLab's {@code X-Gitlab-Token} (the secret itself), and the {@code Authorization: Bearer}
 * header a registry's {@code notifications.endpoints} sends. Every comparison takes constant time.
 */
final class WebhookPayloads {
    /** The content type of the registry's notifications. */
    static final String REGISTRY_EVENTS = "application/vnd.docker.distribution.events.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NO_COMMIT = "0000000000000000000000000000000000000000";

    private WebhookPayloads() {
    }

    enum Provider {
        GITHUB("GitHub"), GITLAB("GitLab"), GITEA("Gitea"), REGISTRY("Docker registry");

        final String title;

        Provider(String title) {
            this.title = title;
        }
    }

    /** A call that is refused: its HTTP status and why. */
    static final class Refused extends Exception {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /**
     * A push to a branch: the repository's URLs as the provider spells them, the commit it moved to (or none: deleted).
     */
    record GitPush(String branchRef, Optional<String> commit, List<String> repositoryUrls) {
    }

    /** A manifest pushed to a tag: where, and its digest. */
    record ImagePush(String eventId, List<String> registryHosts, String repository, String tag, String digest) {
    }

    /**
     * A verified call.
     *
     * @param event      the provider's event name ({@code push}, {@code Push Hook}, {@code ping}, ...)
     * @param deliveryId the provider's id of this delivery, if it gives one (a redelivery has the same)
     * @param gitPush    the push, when the event is one
     * @param imagePushes the registry's push events of tagged manifests
     */
    record Verified(Provider provider, String event, Optional<String> deliveryId, Optional<GitPush> gitPush,
                    List<ImagePush> imagePushes) {
        boolean ping() {
            return provider == Provider.GITHUB && event.equals("ping") || provider == Provider.GITLAB && event.equals("System Hook");
        }
    }

    /** The provider of a call, by its headers. */
    static Optional<Provider> provider(WebhookDelivery d) {
        if (d.header("x-gitea-event") != null) {
            return Optional.of(Provider.GITEA); // before GitHub's: Gitea sends X-GitHub-Event too
        }
        if (d.header("x-gitlab-event") != null) {
            return Optional.of(Provider.GITLAB);
        }
        if (d.header("x-github-event") != null) {
            return Optional.of(Provider.GITHUB);
        }
        String type = d.header("content-type");
        if (type != null && type.toLowerCase(Locale.ROOT).startsWith(REGISTRY_EVENTS)) {
            return Optional.of(Provider.REGISTRY);
        }
        return Optional.empty();
    }

    /** Checks the call's proof of {@code secret}, then reads it. */
    static Verified verify(WebhookDelivery d, Optional<String> secret) throws Refused {
        Provider provider = provider(d).orElseThrow(() -> new Refused(400, "Not a webhook call Slipway reads: no "
                + "X-GitHub-Event, X-Gitlab-Event or X-Gitea-Event header, and not a registry's notification (Content-Type "
                + REGISTRY_EVENTS + ")"));
        if (secret.isEmpty()) {
            throw new Refused(401, "This service has no webhook secret yet, so no call can be verified: run "
                    + "'slipway webhook show --service NAME' and give the secret it prints to the " + provider.title + " webhook");
        }
        byte[] key = secret.get().getBytes(StandardCharsets.UTF_8);
        switch (provider) {
            case GITHUB -> check(lower(d.header("x-hub-signature-256")), "sha256=" + hmac(key, d.body()), provider,
                    "X-Hub-Signature-256", "set the webhook's secret");
            case GITEA -> check(lower(d.header("x-gitea-signature")), hmac(key, d.body()), provider, "X-Gitea-Signature",
                    "set the webhook's secret");
            case GITLAB -> check(d.header("x-gitlab-token"), secret.get(), provider, "X-Gitlab-Token",
                    "set the webhook's secret token");
            case REGISTRY -> check(d.header("authorization"), "Bearer " + secret.get(), provider, "Authorization",
                    "add 'headers: {Authorization: [Bearer <secret>]}' to the registry's notifications endpoint");
        }
        JsonNode body;
        try {
            body = JSON.readTree(d.body());
        } catch (IOException e) {
            throw new Refused(400, "The " + provider.title + " payload is not JSON: " + e.getMessage());
        }
        if (body == null || !body.isObject()) {
            throw new Refused(400, "The " + provider.title + " payload is not a JSON object");
        }
        return switch (provider) {
            case GITHUB -> new Verified(provider, d.header("x-github-event"), Optional.ofNullable(d.header("x-github-delivery")),
                    d.header("x-github-event").equals("push") ? Optional.of(githubPush(body)) : Optional.empty(), List.of());
            case GITEA -> new Verified(provider, d.header("x-gitea-event"), Optional.ofNullable(d.header("x-gitea-delivery")),
                    d.header("x-gitea-event").equals("push") ? Optional.of(githubPush(body)) : Optional.empty(), List.of());
            case GITLAB -> new Verified(provider, d.header("x-gitlab-event"), Optional.ofNullable(d.header("x-gitlab-event-uuid")),
                    d.header("x-gitlab-event").equals("Push Hook") ? Optional.of(gitlabPush(body)) : Optional.empty(), List.of());
            case REGISTRY -> new Verified(provider, "push", Optional.empty(), Optional.empty(), imagePushes(body));
        };
    }

    /** A hex signature in lower case (as the HMAC is compared), or null. */
    private static String lower(String hex) {
        return hex == null ? null : hex.toLowerCase(Locale.ROOT);
    }

    private static void check(String given, String expected, Provider provider, String header, String fix) throws Refused {
        if (given == null || given.isEmpty()) {
            throw new Refused(401, "Unsigned " + provider.title + " call: no " + header + " header; " + fix);
        }
        if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))) {
            throw new Refused(401, "Wrongly signed " + provider.title + " call: " + header + " does not match this "
                    + "service's webhook secret; " + fix + " to the one 'slipway webhook show' prints");
        }
    }

    private static String hmac(byte[] key, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    /** GitHub's push payload, which Gitea's follows. */
    private static GitPush githubPush(JsonNode body) throws Refused {
        JsonNode repo = body.path("repository");
        List<String> urls = texts(repo, "clone_url", "ssh_url", "git_url", "html_url", "url");
        return new GitPush(required(body, "ref"), commit(body.path("after").asText(""), body.path("deleted").asBoolean(false)), urls);
    }

    private static GitPush gitlabPush(JsonNode body) throws Refused {
        List<String> urls = new ArrayList<>(texts(body.path("project"), "git_http_url", "git_ssh_url", "web_url"));
        urls.addAll(texts(body.path("repository"), "git_http_url", "git_ssh_url", "homepage", "url"));
        String after = body.path("checkout_sha").isTextual() ? body.path("checkout_sha").asText() : body.path("after").asText("");
        return new GitPush(required(body, "ref"), commit(after, false), urls);
    }

    private static Optional<String> commit(String after, boolean deleted) throws Refused {
        if (deleted || after.isEmpty() || after.equals(NO_COMMIT)) {
            return Optional.empty();
        }
        if (!after.matches("[0-9a-f]{40}([0-9a-f]{24})?")) {
            throw new Refused(400, "The push names no commit Slipway can check out ('after' is '" + after + "', not a SHA-1 or SHA-256 id)");
        }
        return Optional.of(after);
    }

    private static List<ImagePush> imagePushes(JsonNode body) throws Refused {
        if (!body.path("events").isArray()) {
            throw new Refused(400, "The Docker registry payload has no 'events' array");
        }
        List<ImagePush> pushes = new ArrayList<>();
        for (JsonNode e : body.path("events")) {
            JsonNode target = e.path("target");
            if (!e.path("action").asText().equals("push") || !target.path("tag").isTextual()
                    || !target.path("digest").asText().startsWith("sha256:")) {
                continue; // pulls, deletes, blobs and manifests pushed by digest move no tag
            }
            List<String> hosts = new ArrayList<>();
            if (e.path("request").path("host").isTextual()) {
                hosts.add(e.path("request").path("host").asText());
            }
            try {
                URI url = URI.create(target.path("url").asText(""));
                if (url.getAuthority() != null) {
                    hosts.add(url.getAuthority());
                }
            } catch (IllegalArgumentException ignored) {
                // the request's host is enough
            }
            pushes.add(new ImagePush(e.path("id").asText(""), hosts, target.path("repository").asText(),
                    target.path("tag").asText(), target.path("digest").asText()));
        }
        return pushes;
    }

    private static String required(JsonNode body, String field) throws Refused {
        if (!body.path(field).isTextual()) {
            throw new Refused(400, "The push payload has no '" + field + "'");
        }
        return body.path(field).asText();
    }

    private static List<String> texts(JsonNode node, String... fields) {
        List<String> out = new ArrayList<>();
        for (String f : fields) {
            if (node.path(f).isTextual() && !node.path(f).asText().isBlank()) {
                out.add(node.path(f).asText());
            }
        }
        return out;
    }

    /**
     * A repository URL reduced to what names the repository whatever the protocol: {@code host[:port]/path}, the host in
     * lower case, without a user, a trailing {@code /} or {@code .git}. {@code git@host:owner/repo.git},
     * {@code ssh://git@host/owner/repo}, {@code https://host/owner/repo.git} are all {@code host/owner/repo}.
     */
    static String repositoryKey(String url) {
        String u = url.strip();
        String rest;
        int scheme = u.indexOf("://");
        if (scheme >= 0) {
            rest = u.substring(scheme + 3);
        } else if (u.matches("[^/@]+@[^/:]+:.*")) { // scp-like git@host:path
            rest = u.replaceFirst(":", "/");
        } else {
            rest = u;
        }
        int at = rest.indexOf('@');
        int slash = rest.indexOf('/');
        if (at >= 0 && (slash < 0 || at < slash)) {
            rest = rest.substring(at + 1);
            slash = rest.indexOf('/');
        }
        String host = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash);
        boolean ssh = u.startsWith("ssh://") || scheme < 0 && u.contains("@");
        if (ssh || u.startsWith("https://") || u.startsWith("http://") || u.startsWith("git://")) {
            host = host.replaceFirst(":(22|443|80|9418)$", ""); // a protocol's default port names nothing
        }
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (path.endsWith(".git")) {
            path = path.substring(0, path.length() - 4);
        }
        return host.toLowerCase(Locale.ROOT) + path;
    }
}
