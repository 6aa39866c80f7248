package dev.slipway.core.internal.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.core.push.WebhookDelivery;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;

/**
 * The providers' signatures and payloads: a call signed with the service's secret is read; any other (a changed body,
 * another secret, a missing or garbled header, a provider's header on another provider's call) is refused with 401;
 * what is not a push event Slipway reads is 400.
 */
class WebhookPayloadsTest {
    private static final String COMMIT = "a".repeat(40);

    private static String push(String ref, String after, String url) {
        return "{\"ref\":\"" + ref + "\",\"after\":\"" + after + "\",\"deleted\":false,\"repository\":{\"clone_url\":\"" + url
                + "\"},\"head_commit\":{\"id\":\"" + after + "\",\"message\":\"m\"}}";
    }

    private static String hmac(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }

    private static WebhookDelivery github(String body, String signature) {
        return new WebhookDelivery(Map.of("X-GitHub-Event", "push", "X-GitHub-Delivery", "d1", "X-Hub-Signature-256", signature),
                body.getBytes(StandardCharsets.UTF_8), "127.0.0.1");
    }

    @Property(tries = 200)
    void aGitHubCallSignedWithTheSecretIsReadAndAnyChangeIsRefused(@ForAll @StringLength(min = 1, max = 64) String secret,
                                                                  @ForAll @StringLength(max = 200) String message,
                                                                  @ForAll @IntRange(min = 0, max = 10_000) int flip) throws Exception {
        String body = push("refs/heads/main", COMMIT, "https://example.com/o/r.git").replace("\"m\"",
                com.fasterxml.jackson.databind.node.TextNode.valueOf(message).toString());
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String signature = "sha256=" + hmac(secret, bytes);

        var verified = WebhookPayloads.verify(github(body, signature), Optional.of(secret));
        assertThat(verified.gitPush()).hasValueSatisfying(p -> {
            assertThat(p.commit()).contains(COMMIT);
            assertThat(p.branchRef()).isEqualTo("refs/heads/main");
        });
        // the hex in capitals is the same signature
        assertThat(WebhookPayloads.verify(github(body, "sha256=" + hmac(secret, bytes).toUpperCase()), Optional.of(secret))
                .gitPush()).isPresent();

        byte[] changed = bytes.clone();
        changed[flip % changed.length] ^= 0x01;
        assertRefused(new WebhookDelivery(github(body, signature).headers(), changed, "127.0.0.1"), secret, 401);
        assertRefused(github(body, signature), secret + "x", 401);
        assertRefused(github(body, signature.substring(0, signature.length() - 1)), secret, 401);
        assertRefused(github(body, hmac(secret, bytes)), secret, 401); // without "sha256="
        assertRefused(github(body, ""), secret, 401);
    }

    @Property(tries = 100)
    void gitLabAndGiteaProveTheSecretTheirOwnWay(@ForAll @StringLength(min = 1, max = 64) String secret) throws Exception {
        String body = push("refs/heads/main", COMMIT, "https://example.com/o/r.git");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        WebhookDelivery gitlab = new WebhookDelivery(Map.of("X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", secret), bytes, "::1");
        assertThat(WebhookPayloads.verify(gitlab, Optional.of(secret)).gitPush()).isPresent();
        assertRefused(new WebhookDelivery(Map.of("X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", secret + " "), bytes, "::1"), secret, 401);
        // a GitHub signature does not sign a GitLab call
        assertRefused(new WebhookDelivery(Map.of("X-Gitlab-Event", "Push Hook", "X-Hub-Signature-256", "sha256=" + hmac(secret, bytes)),
                bytes, "::1"), secret, 401);

        WebhookDelivery gitea = new WebhookDelivery(Map.of("x-gitea-event", "push", "x-gitea-signature", hmac(secret, bytes),
                "x-github-event", "push"), bytes, "::1");
        assertThat(WebhookPayloads.verify(gitea, Optional.of(secret)).provider()).isEqualTo(WebhookPayloads.Provider.GITEA);
        // Gitea's own signature is the one checked, not the GitHub-style one it sends beside it
        assertRefused(new WebhookDelivery(Map.of("X-Gitea-Event", "push", "X-Hub-Signature-256", "sha256=" + hmac(secret, bytes)),
                bytes, "::1"), secret, 401);
    }

    @Example
    void whatIsNotAPushEventOrHasNoSecretIsRefused() throws Exception {
        byte[] body = push("refs/heads/main", COMMIT, "u").getBytes(StandardCharsets.UTF_8);
        assertRefused(new WebhookDelivery(Map.of("Content-Type", "application/json"), body, "::1"), "s", 400);
        assertThatThrownBy(() -> WebhookPayloads.verify(new WebhookDelivery(Map.of("X-GitHub-Event", "push"), body, "::1"), Optional.empty()))
                .isInstanceOfSatisfying(WebhookPayloads.Refused.class, r -> assertThat(r.status).isEqualTo(401))
                .hasMessageContaining("slipway webhook show");
        String signature = "sha256=" + hmac("s", "[1]".getBytes(StandardCharsets.UTF_8));
        assertRefused(github("[1]", signature), "s", 400);
        String notJson = "{\"ref\":";
        assertRefused(github(notJson, "sha256=" + hmac("s", notJson.getBytes(StandardCharsets.UTF_8))), "s", 400);
        String badCommit = push("refs/heads/main", "HEAD~1; rm -rf /", "u");
        assertRefused(github(badCommit, "sha256=" + hmac("s", badCommit.getBytes(StandardCharsets.UTF_8))), "s", 400);
        String deleted = push("refs/heads/main", "0".repeat(40), "u");
        assertThat(WebhookPayloads.verify(github(deleted, "sha256=" + hmac("s", deleted.getBytes(StandardCharsets.UTF_8))),
                Optional.of("s")).gitPush().orElseThrow().commit()).isEmpty();
    }

    @Example
    void aRegistryNotificationNamesTheTagsPushedWithTheirDigests() throws Exception {
        String body = """
                {"events":[
                 {"id":"e1","timestamp":"2026-12-05T15:00:00Z","action":"push","target":{"mediaType":
                  "application/vnd.docker.distribution.manifest.v2+json","size":528,"digest":"sha256:%s","length":528,
                  "repository":"team/app","url":"http://127.0.0.1:5000/v2/team/app/manifests/sha256:%s","tag":"latest"},
                  "request":{"id":"r1","addr":"127.0.0.1:4242","host":"127.0.0.1:5000","method":"PUT","useragent":"docker/24"},
                  "actor":{},"source":{"addr":"host:5000","instanceID":"i1"}},
                 {"id":"e2","action":"push","target":{"mediaType":"application/octet-stream","digest":"sha256:%s",
                  "repository":"team/app","url":"http://127.0.0.1:5000/v2/team/app/blobs/sha256:%s"},"request":{"host":"127.0.0.1:5000"}},
                 {"id":"e3","action":"pull","target":{"digest":"sha256:%s","repository":"team/app","tag":"latest"}}]}
                """.formatted("1".repeat(64), "1".repeat(64), "2".repeat(64), "2".repeat(64), "3".repeat(64));
        Map<String, String> headers = Map.of("Content-Type", WebhookPayloads.REGISTRY_EVENTS, "Authorization", "Bearer s3cret");
        var verified = WebhookPayloads.verify(new WebhookDelivery(headers, body.getBytes(StandardCharsets.UTF_8), "::1"), Optional.of("s3cret"));
        assertThat(verified.imagePushes()).singleElement().satisfies(p -> {
            assertThat(p.repository()).isEqualTo("team/app");
            assertThat(p.tag()).isEqualTo("latest");
            assertThat(p.digest()).isEqualTo("sha256:" + "1".repeat(64));
            assertThat(p.registryHosts()).contains("127.0.0.1:5000");
        });
        assertRefused(new WebhookDelivery(Map.of("Content-Type", WebhookPayloads.REGISTRY_EVENTS, "Authorization", "Bearer other"),
                body.getBytes(StandardCharsets.UTF_8), "::1"), "s3cret", 401);
        assertRefused(new WebhookDelivery(Map.of("Content-Type", WebhookPayloads.REGISTRY_EVENTS), body.getBytes(StandardCharsets.UTF_8), "::1"),
                "s3cret", 401);
    }

    @Provide
    Arbitrary<String[]> spellings() {
        Arbitrary<String> host = Arbitraries.of("github.com", "GitHub.com", "git.example.org");
        Arbitrary<String> path = Arbitraries.of("ada/app", "team/sub/app");
        return Combinators.combine(host, path).as((h, p) -> new String[] {
                "https://" + h + "/" + p + ".git", "https://" + h + "/" + p + "/", "http://" + h + ":80/" + p,
                "git@" + h + ":" + p + ".git", "ssh://git@" + h + "/" + p, "ssh://git@" + h + ":22/" + p + ".git",
                "git://" + h + "/" + p + ".git", "https://user:token@" + h + "/" + p});
    }

    @Property(tries = 50)
    void everySpellingOfARepositoryNamesTheSameOneAndNoOther(@ForAll("spellings") String[] urls) {
        String key = WebhookPayloads.repositoryKey(urls[0]);
        for (String u : urls) {
            assertThat(WebhookPayloads.repositoryKey(u)).as(u).isEqualTo(key);
        }
        assertThat(WebhookPayloads.repositoryKey(urls[0].replace(".git", "-fork.git"))).isNotEqualTo(key);
        assertThat(WebhookPayloads.repositoryKey(urls[0].replaceFirst("https://", "https://evil.") )).isNotEqualTo(key);
        assertThat(WebhookPayloads.repositoryKey("git://127.0.0.1:9419/app.git")).isNotEqualTo(WebhookPayloads.repositoryKey("git://127.0.0.1:9418/app.git"));
    }

    private static void assertRefused(WebhookDelivery d, String secret, int status) {
        assertThatThrownBy(() -> WebhookPayloads.verify(d, Optional.of(secret)))
                .isInstanceOfSatisfying(WebhookPayloads.Refused.class, r -> assertThat(r.status).isEqualTo(status));
    }
}
