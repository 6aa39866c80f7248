package dev.slipway.server.api;

import static dev.slipway.server.api.GitDaemon.git;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.core.Slipway;
import dev.slipway.core.SlipwayBuilder;
import dev.slipway.core.api.ListOperationsRequest;
import dev.slipway.core.testing.HttpProbe;
import dev.slipway.core.testing.TestApps;
import dev.slipway.server.SlipwayJar;
import dev.slipway.server.api.PushPayloads.Provider;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Push to deploy, with real parts: a bare repository served by {@code git daemon}, pushed to with the real {@code git}
 * client; services created with the AWS CLI with AutoDeploymentsEnabled; pushes learned of by polling
 * ({@code git ls-remote}) and by webhook calls shaped and signed as GitHub, GitLab and Gitea send them.
 */
class PushToDeployIT {
    @TempDir
    static Path tmp;

    private static GitDaemon daemon;
    /** A server that learns of pushes by webhooks only (no polling). */
    private static Server hooks;

    /** A Slipway with the API server and an AWS CLI for it. */
    record Server(Slipway slipway, ApiServer api, AwsCli aws, Path state) implements AutoCloseable {
        static Server start(Path state, SlipwayBuilder builder) {
            ApiCredentials credentials = ApiCredentials.load(Map.of(), state);
            Slipway slipway = builder.routerPort(0).stateDir(state).build();
            ApiServer api = ApiServer.start(slipway, credentials, "127.0.0.1", 0);
            return new Server(slipway, api, AwsCli.withCredentialsFile(api.port(), credentials.file().orElseThrow()), state);
        }

        String body(String serviceUrl) throws Exception {
            return new HttpProbe(slipway.routerPort().orElseThrow()).get(serviceUrl).body();
        }

        /** How many operations the service has, asked of the Java API (at once; the AWS CLI takes a second under load). */
        int operationCount(String arn) {
            return slipway.listOperations(new ListOperationsRequest(arn, null, null)).operationSummaryList().size();
        }

        List<JsonNode> operations(String arn) throws Exception {
            List<JsonNode> ops = new ArrayList<>();
            aws.ok("list-operations", "--service-arn", arn).get("OperationSummaryList").forEach(ops::add);
            return ops;
        }

        String log(String service, String operationId) throws Exception {
            return Files.readString(state.resolve("logs/" + service + "/deployment/" + operationId + ".log"));
        }

        String events(String service) throws Exception {
            return Files.readString(state.resolve("logs/" + service + "/events.log"));
        }

        @Override
        public void close() {
            api.close();
            slipway.close();
        }
    }

    /** A repository on the Git server and a clone of it to commit and push from. */
    record Repo(String url, Path work) {
        static Repo create(String name, String greeting) throws Exception {
            String url = daemon.create(name);
            Path work = tmp.resolve("work-" + name);
            Files.createDirectories(work);
            git(work, "init");
            TestApps.writePythonGreeter(work, greeting, "Jane");
            git(work, "add", ".");
            git(work, "commit", "-m", "greeter: " + greeting);
            git(work, "push", url, "main");
            return new Repo(url, work);
        }

        /** Commits a new greeting and pushes it with git; the commit's id. */
        String push(String greeting) throws Exception {
            String commit = commit(greeting);
            git(work, "push", url, "main");
            return commit;
        }

        /** Commits a new greeting (not pushed); the commit's id. */
        String commit(String greeting) throws Exception {
            TestApps.writePythonGreeter(work, greeting, "Jane");
            git(work, "commit", "-am", "greeter: " + greeting);
            return head();
        }

        String head() throws Exception {
            return git(work, "rev-parse", "HEAD");
        }

        String source() {
            return "{\"AutoDeploymentsEnabled\":true,\"CodeRepository\":{\"RepositoryUrl\":\"" + url
                    + "\",\"SourceCodeVersion\":{\"Type\":\"BRANCH\",\"Value\":\"main\"}}}";
        }
    }

    @BeforeAll
    static void startGitServerAndSlipway() throws Exception {
        daemon = GitDaemon.start(tmp.resolve("repos"));
        hooks = Server.start(tmp.resolve("hooks-state"), Slipway.builder().pollInterval(Duration.ZERO));
    }

    @AfterAll
    static void stop() {
        hooks.close();
        daemon.close();
    }

    private static JsonNode create(Server server, String name, Repo repo) throws Exception {
        JsonNode created = server.aws().ok("create-service", "--service-name", name, "--source-configuration", repo.source());
        server.aws().awaitStatus(created.at("/Service/ServiceArn").asText(), "RUNNING");
        return created.get("Service");
    }

    @Test
    void aCommitPushedWithGitIsFoundByPollingAndDeployedOnceAndAFailedBuildKeepsTheOldRevision() throws Exception {
        Repo repo = Repo.create("polled", "Hello");
        try (Server server = Server.start(tmp.resolve("poll-state"), Slipway.builder().pollInterval(Duration.ofSeconds(1)))) {
            JsonNode service = create(server, "polled", repo);
            String arn = service.get("ServiceArn").asText();
            String url = service.get("ServiceUrl").asText();
            assertThat(server.body(url)).isEqualTo("Hello, Jane!");

            String commit = repo.push("Howdy");
            await().atMost(Duration.ofMinutes(2)).until(() -> server.body(url).equals("Howdy, Jane!"));
            List<JsonNode> ops = server.operations(arn);
            assertThat(ops).hasSize(2);
            assertThat(ops.get(0).get("Type").asText()).isEqualTo("START_DEPLOYMENT");
            server.aws().awaitOperation(arn, ops.get(0).get("Id").asText(), "SUCCEEDED");
            assertThat(server.log("polled", ops.get(0).get("Id").asText()))
                    .contains("Automatic deployment of commit " + commit + ", the head of branch main (found by polling " + repo.url())
                    .contains("Checked out commit " + commit + " of branch main: Ada Lovelace <ada@example.com>")
                    .contains("\"greeter: Howdy\"");
            // the head is deployed: more polls start nothing
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> server.operationCount(arn) == 2);

            TestApps.writePythonGreeter(repo.work(), "Broken", "Jane");
            Files.writeString(repo.work().resolve("server.py"), "def broken(:\n", java.nio.file.StandardOpenOption.APPEND);
            git(repo.work(), "commit", "-am", "a syntax error");
            git(repo.work(), "push", repo.url(), "main");
            await().atMost(Duration.ofMinutes(2)).until(() -> server.operations(arn).size() == 3
                    && server.operations(arn).get(0).get("Status").asText().equals("FAILED"));
            String failed = server.log("polled", server.operations(arn).get(0).get("Id").asText());
            assertThat(failed).contains("SyntaxError").contains("The previous revision keeps serving.");
            assertThat(server.body(url)).isEqualTo("Howdy, Jane!");
            server.aws().awaitStatus(arn, "RUNNING");
            // a failed commit is not tried again at every poll: the next push (or StartDeployment) goes on
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> server.operationCount(arn) == 3);
        }
    }

    @Test
    void signedPushesOfGitHubGitLabAndGiteaDeployExactlyTheirCommit() throws Exception {
        Repo repo = Repo.create("hooked", "Hello");
        JsonNode service = create(hooks, "hooked", repo);
        String arn = service.get("ServiceArn").asText();
        String url = service.get("ServiceUrl").asText();
        SlipwayJar shown = SlipwayJar.run("webhook", "show", "--service-arn", arn, "--endpoint-url",
                "http://127.0.0.1:" + hooks.api().port(), "--state-dir", hooks.state().toString());
        assertThat(shown.process().exitValue()).as(String.join("\n", shown.output())).isZero();
        String hook = shown.output().get(0).replaceFirst("^URL: +", "");
        String secret = shown.output().get(1).replaceFirst("^Secret: +", "");
        assertThat(hook).isEqualTo("http://127.0.0.1:" + hooks.api().port() + "/webhooks/" + service.get("ServiceId").asText());
        assertThat(shown.output()).anyMatch(l -> l.contains("Authorization: [Bearer " + secret + "]"));

        HttpResponse<String> ping = PushPayloads.githubPing(secret).post(hook);
        assertThat(ping.statusCode()).as(ping.body()).isEqualTo(200);
        assertThat(ping.body()).contains("pong");

        int expected = 1;
        String before = repo.head();
        for (Provider provider : Provider.values()) {
            String greeting = "Hi from " + provider.name().toLowerCase();
            String commit = repo.push(greeting);
            PushPayloads.Call call = PushPayloads.push(provider, secret, repo.url(), "main", before, commit, "greeter: " + greeting);
            HttpResponse<String> answer = call.post(hook);
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
            assertThat(answer.body()).contains("commit " + commit);
            expected++;
            int ops = expected;
            await().atMost(Duration.ofMinutes(2)).until(() -> hooks.operations(arn).size() == ops
                    && hooks.operations(arn).get(0).get("Status").asText().equals("SUCCEEDED"));
            assertThat(hooks.body(url)).isEqualTo(greeting + ", Jane!");
            assertThat(hooks.log("hooked", hooks.operations(arn).get(0).get("Id").asText()))
                    .contains("Automatic deployment of commit " + commit + " pushed to branch main (learned from a")
                    .contains("Checked out commit " + commit);
            hooks.aws().awaitStatus(arn, "RUNNING");

            HttpResponse<String> replay = call.post(hook);
            assertThat(replay.statusCode()).as(replay.body()).isEqualTo(200);
            assertThat(replay.body()).contains("received before");
            before = commit;
        }

        // refused, recorded, and nothing deployed: wrongly signed, unsigned, another branch, a commit deployed already
        String commit = repo.push("Never deployed");
        PushPayloads.Call forged = PushPayloads.push(Provider.GITHUB, "not-the-secret", repo.url(), "main", before, commit, "x");
        HttpResponse<String> wrong = forged.post(hook);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("Wrongly signed GitHub call").doesNotContain(secret);
        assertThat(forged.without("X-Hub-Signature-256").post(hook).statusCode()).isEqualTo(401);
        assertThat(PushPayloads.push(Provider.GITLAB, "not-the-secret", repo.url(), "main", before, commit, "x").post(hook).statusCode())
                .isEqualTo(401);
        assertThat(PushPayloads.push(Provider.GITEA, "not-the-secret", repo.url(), "main", before, commit, "x").post(hook).statusCode())
                .isEqualTo(401);
        HttpResponse<String> otherBranch = PushPayloads.push(Provider.GITHUB, secret, repo.url(), "dev", before, commit, "x").post(hook);
        assertThat(otherBranch.statusCode()).isEqualTo(202);
        assertThat(otherBranch.body()).contains("Ignored").contains("refs/heads/dev");
        HttpResponse<String> otherRepo = PushPayloads.push(Provider.GITHUB, secret, daemon.url("elsewhere"), "main", before, commit, "x")
                .post(hook);
        assertThat(otherRepo.body()).contains("Ignored");
        HttpResponse<String> again = PushPayloads.push(Provider.GITLAB, secret, repo.url(), "main", before, before, "x").post(hook);
        assertThat(again.statusCode()).isEqualTo(202);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> hooks.operationCount(arn) == 4);
        assertThat(hooks.events("hooked")).contains("Webhook call refused (HTTP 401) from 127.0.0.1: Wrongly signed GitHub call")
                .doesNotContain(secret);
        assertThat(hooks.body(url)).isEqualTo("Hi from gitea, Jane!");
    }

    @Test
    void pushesDuringADeploymentCoalesceIntoOneDeploymentOfTheNewest() throws Exception {
        Repo repo = Repo.create("coalesced", "Hello");
        JsonNode service = create(hooks, "coalesced", repo);
        String arn = service.get("ServiceArn").asText();
        String url = service.get("ServiceUrl").asText();
        var webhook = hooks.slipway().webhook(arn, false);
        String hook = "http://127.0.0.1:" + hooks.api().port() + webhook.path();

        // three pushes, told of one after the other; the second and third while the first deploys
        String first = repo.commit("First");
        String second = repo.commit("Second");
        String third = repo.commit("Third");
        git(repo.work(), "push", repo.url(), "main");
        assertThat(PushPayloads.push(Provider.GITHUB, webhook.secret(), repo.url(), "main", "", first, "first").post(hook).statusCode())
                .isEqualTo(202);
        // (asked of the Java API, which answers at once: the AWS CLI takes longer than the deployment)
        await().atMost(Duration.ofSeconds(30)).until(() -> hooks.slipway().listOperations(
                new ListOperationsRequest(arn, null, null)).operationSummaryList().size() == 2);
        PushPayloads.push(Provider.GITHUB, webhook.secret(), repo.url(), "main", first, second, "second").post(hook);
        PushPayloads.push(Provider.GITHUB, webhook.secret(), repo.url(), "main", second, third, "third").post(hook);

        await().atMost(Duration.ofMinutes(2)).until(() -> hooks.body(url).equals("Third, Jane!"));
        List<JsonNode> ops = hooks.operations(arn);
        assertThat(ops).hasSize(3); // created, the first push, then one deployment for the two that came meanwhile
        // exactly the commit each push named, though the branch was ahead of the first
        assertThat(hooks.log("coalesced", ops.get(1).get("Id").asText())).contains("Checked out commit " + first);
        assertThat(hooks.log("coalesced", ops.get(0).get("Id").asText())).contains("Checked out commit " + third);
    }

    @Test
    void aPushStormIsRateLimitedAndItsNewestPushWaits() throws Exception {
        Repo repo = Repo.create("stormy", "Hello");
        try (Server server = Server.start(tmp.resolve("storm-state"), Slipway.builder().pollInterval(Duration.ZERO).autoDeploymentsPerHour(1))) {
            JsonNode service = create(server, "stormy", repo);
            String arn = service.get("ServiceArn").asText();
            var webhook = server.slipway().webhook(arn, false);
            String hook = "http://127.0.0.1:" + server.api().port() + webhook.path();
            String one = repo.push("One");
            PushPayloads.push(Provider.GITEA, webhook.secret(), repo.url(), "main", "", one, "one").post(hook);
            await().atMost(Duration.ofMinutes(2)).until(() -> server.body(service.get("ServiceUrl").asText()).equals("One, Jane!"));
            server.aws().awaitStatus(arn, "RUNNING");
            String two = repo.push("Two");
            assertThat(PushPayloads.push(Provider.GITEA, webhook.secret(), repo.url(), "main", one, two, "two").post(hook).statusCode())
                    .isEqualTo(202);
            await().atMost(Duration.ofSeconds(30)).until(() -> server.events("stormy").contains("Automatic deployments are rate limited"));
            assertThat(server.events("stormy")).contains("the newest push (" + two + ") deploys at");
            assertThat(server.operations(arn)).hasSize(2);
        }
    }
}
