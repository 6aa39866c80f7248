package dev.slipway.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.core.Slipway;
import dev.slipway.core.testing.HttpProbe;
import dev.slipway.core.testing.TestApps;
import dev.slipway.server.SlipwayJar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import org.eclipse.jgit.junit.ssh.SshTestGitServer;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A connection's handshake completed with {@code slipway connection complete}; services then clone private repositories. */
class ConnectionIT {
    private static final String TOKEN = "ghp_test_token_0123456789";

    @TempDir
    Path tmp;

    private Slipway slipway;
    private ApiServer api;
    private AwsCli aws;
    private PrivateGitServer git;
    private Path state;

    @BeforeEach
    void start() throws Exception {
        state = tmp.resolve("state");
        ApiCredentials credentials = ApiCredentials.load(Map.of(), state);
        slipway = Slipway.builder().routerPort(0).stateDir(state).build();
        api = ApiServer.start(slipway, credentials, "127.0.0.1", 0);
        aws = AwsCli.withCredentialsFile(api.port(), credentials.file().orElseThrow());
        Git repo = TestApps.gitRepositoryWithGreeter(tmp.resolve("origin"), "Hello", "Jane");
        git = new PrivateGitServer(repo.getRepository(), TOKEN);
    }

    @AfterEach
    void stop() {
        git.close();
        api.close();
        slipway.close();
    }

    @Test
    void completedConnectionClonesAPrivateRepositoryAndIsProtectedWhileUsed() throws Exception {
        String arn = aws.ok("create-connection", "--connection-name", "private-gh", "--provider-type", "GITHUB")
                .at("/Connection/ConnectionArn").asText();
        assertThat(aws.ok("list-connections").at("/ConnectionSummaryList/0/Status").asText()).isEqualTo("PENDING_HANDSHAKE");
        String source = "{\"AuthenticationConfiguration\":{\"ConnectionArn\":\"" + arn + "\"},\"CodeRepository\":{\"RepositoryUrl\":\""
                + git.url() + "\",\"SourceCodeVersion\":{\"Type\":\"BRANCH\",\"Value\":\"main\"}}}";
        AwsCli.Result early = aws.apprunner("create-service", "--service-name", "private-app", "--source-configuration", source);
        assertThat(early.errorCode()).isEqualTo("InvalidRequestException");
        assertThat(early.stderr()).contains("complete its handshake");

        Path tokenFile = tmp.resolve("token");
        Files.writeString(tokenFile, TOKEN + "\n");
        SlipwayJar complete = SlipwayJar.run("connection", "complete", "--name", "private-gh", "--token-file", tokenFile.toString(),
                "--endpoint-url", "http://127.0.0.1:" + api.port(), "--state-dir", state.toString());
        assertThat(complete.process().exitValue()).isZero();
        assertThat(complete.output()).containsExactly("Connection private-gh is AVAILABLE (" + arn + ")");
        assertThat(aws.ok("list-connections").at("/ConnectionSummaryList/0/Status").asText()).isEqualTo("AVAILABLE");

        JsonNode created = aws.ok("create-service", "--service-name", "private-app", "--source-configuration", source);
        String service = created.at("/Service/ServiceArn").asText();
        aws.awaitStatus(service, "RUNNING");
        assertThat(new HttpProbe(slipway.routerPort().orElseThrow()).get(created.at("/Service/ServiceUrl").asText()).body())
                .isEqualTo("Hello, Jane!");
        assertThat(Files.readString(state.resolve("logs/private-app/deployment/" + created.at("/OperationId").asText() + ".log")))
                .contains("Checked out commit").doesNotContain(TOKEN);

        AwsCli.Result inUse = aws.apprunner("delete-connection", "--connection-arn", arn);
        assertThat(inUse.errorCode()).isEqualTo("InvalidRequestException");
        assertThat(inUse.stderr()).contains("private-app");
    }

    @Test
    void anSshKeyHandshakeClonesOverSsh() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair user = rsa.generateKeyPair();
        Git repo = TestApps.gitRepositoryWithGreeter(tmp.resolve("ssh-origin"), "Hello over SSH", "Jane");
        SshTestGitServer sshServer = new SshTestGitServer("git", user.getPublic(), repo.getRepository(), rsa.generateKeyPair());
        int sshPort = sshServer.start();
        try {
            String arn = aws.ok("create-connection", "--connection-name", "ssh-conn", "--provider-type", "BITBUCKET")
                    .at("/Connection/ConnectionArn").asText();
            Path keyFile = tmp.resolve("deploy_key");
            String pem = "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(user.getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
            Files.writeString(keyFile, pem);
            SlipwayJar complete = SlipwayJar.run("connection", "complete", "--name", "ssh-conn", "--ssh-key-file", keyFile.toString(),
                    "--endpoint-url", "http://127.0.0.1:" + api.port(), "--state-dir", state.toString());
            assertThat(complete.process().exitValue()).as(String.join("\n", complete.output())).isZero();

            String source = "{\"AuthenticationConfiguration\":{\"ConnectionArn\":\"" + arn + "\"},\"CodeRepository\":{\"RepositoryUrl\":\""
                    + "ssh://git@127.0.0.1:" + sshPort + "/greeter.git\",\"SourceCodeVersion\":{\"Type\":\"BRANCH\",\"Value\":\"main\"}}}";
            JsonNode created = aws.ok("create-service", "--service-name", "ssh-app", "--source-configuration", source);
            aws.awaitStatus(created.at("/Service/ServiceArn").asText(), "RUNNING");
            assertThat(new HttpProbe(slipway.routerPort().orElseThrow()).get(created.at("/Service/ServiceUrl").asText()).body())
                    .isEqualTo("Hello over SSH, Jane!");
            String log = Files.readString(state.resolve("logs/ssh-app/deployment/" + created.at("/OperationId").asText() + ".log"));
            assertThat(log).containsPattern("presented its RSA key SHA256:\\S+, now pinned for this connection")
                    .doesNotContain("PRIVATE KEY");
            String redeploy = aws.ok("start-deployment", "--service-arn", created.at("/Service/ServiceArn").asText())
                    .get("OperationId").asText();
            Path redeployLog = state.resolve("logs/ssh-app/deployment/" + redeploy + ".log");
            await().atMost(Duration.ofMinutes(1)).until(() -> Files.exists(redeployLog)
                    && Files.readString(redeployLog).contains("presented its pinned RSA key"));
            assertThat(Files.readString(state.resolve("credentials"))).doesNotContain("PRIVATE KEY");
        } finally {
            sshServer.stop();
        }
    }

    @Test
    void withoutTheConnectionThePrivateRepositoryIsRefused() throws Exception {
        String source = "{\"CodeRepository\":{\"RepositoryUrl\":\"" + git.url() + "\",\"SourceCodeVersion\":{\"Type\":\"BRANCH\",\"Value\":\"main\"}}}";
        JsonNode created = aws.ok("create-service", "--service-name", "no-access", "--source-configuration", source);
        aws.awaitStatus(created.at("/Service/ServiceArn").asText(), "CREATE_FAILED");
        assertThat(Files.readString(state.resolve("logs/no-access/deployment/" + created.at("/OperationId").asText() + ".log")))
                .contains("use an AVAILABLE connection");
    }

    @Test
    void completingAnUnknownConnectionSaysSo() throws Exception {
        Path tokenFile = tmp.resolve("token");
        Files.writeString(tokenFile, TOKEN);
        SlipwayJar complete = SlipwayJar.run("connection", "complete", "--name", "nope-conn", "--token-file", tokenFile.toString(),
                "--endpoint-url", "http://127.0.0.1:" + api.port(), "--state-dir", state.toString());
        assertThat(complete.process().exitValue()).isEqualTo(2);
        assertThat(String.join("\n", complete.output())).contains("ResourceNotFoundException").contains("nope-conn").doesNotContain(TOKEN);
    }


}
