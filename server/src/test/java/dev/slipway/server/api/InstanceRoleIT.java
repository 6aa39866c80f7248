package dev.slipway.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.core.Slipway;
import dev.slipway.core.observe.JsonLinesFile;
import dev.slipway.core.testing.HttpProbe;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An instance role, for real: a Python app deployed with an InstanceRoleArn runs the AWS CLI, whose default credential
 * chain finds the container credentials endpoint in its environment, and calls the API with its role's short-lived
 * credentials: ListServices (allowed by the role's policy) works, DeleteService (not allowed) is refused; the calls are
 * in the audit trail as the assumed role's. The endpoint refuses a missing or forged token.
 */
class InstanceRoleIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void anAppCallsTheApiWithItsRolesCredentialsAndWithinItsRolesPolicy() throws Exception {
        Path state = tmp.resolve("state");
        Path file = Files.writeString(tmp.resolve("principals.json"), """
                {"principals": [{"name": "lister", "type": "role", "policies": [{"Version": "2012-10-17", "Statement": [
                  {"Effect": "Allow", "Action": "apprunner:ListServices", "Resource": "*"}]}]}]}""");
        writeApp(tmp.resolve("app"));
        ApiCredentials credentials = ApiCredentials.load(Map.of(), state);
        AtomicInteger apiPort = new AtomicInteger();
        InstanceRoles roles = InstanceRoles.open(state, InstanceRoles.endpoint(java.util.Optional.empty(), apiPort::get), "us-east-1");
        try (Slipway slipway = Slipway.builder().routerPort(0).stateDir(state).allowedSourceDirectories(List.of(tmp))
                .instanceCredentials(roles).build();
             PrincipalsFile principals = PrincipalsFile.watch(file)) {
            ApiServer api = ApiServer.start(slipway, new ApiKeys(credentials, principals, Optional.of(roles)), "127.0.0.1", 0,
                    ApiThrottle.DEFAULT);
            apiPort.set(api.port());
            try {
                AwsCli admin = AwsCli.withCredentialsFile(api.port(), credentials.file().orElseThrow());
                JsonNode service = admin.ok("create-service", "--service-name", "role-app", "--source-configuration",
                        "{\"AutoDeploymentsEnabled\":false,\"CodeRepository\":{\"RepositoryUrl\":\"" + tmp.resolve("app")
                                + "\",\"SourceCodeVersion\":{\"Type\":\"BRANCH\",\"Value\":\"main\"},\"CodeConfiguration\":"
                                + "{\"ConfigurationSource\":\"REPOSITORY\"}}}",
                        "--instance-configuration", "InstanceRoleArn=arn:aws:iam::000000000000:role/lister").get("Service");
                String arn = service.get("ServiceArn").asText();
                admin.awaitStatus(arn, "RUNNING");

                HttpResponse<String> r = new HttpProbe(slipway.routerPort().orElseThrow()).get(service.get("ServiceUrl").asText(),
                        "/?endpoint=http://127.0.0.1:" + api.port() + "&arn=" + arn);
                JsonNode answer = JSON.readTree(r.body());
                assertThat(answer.at("/list/exit").asInt()).as(answer.toString()).isZero();
                assertThat(answer.at("/list/out").asText()).contains("\"ServiceName\": \"role-app\"");
                assertThat(answer.at("/delete/exit").asInt()).isNotZero();
                assertThat(answer.at("/delete/err").asText()).contains("AccessDeniedException")
                        .contains("Role: arn:aws:iam::000000000000:role/lister is not authorized to perform: apprunner:DeleteService");
                assertThat(answer.get("env").asText()).as("the role's credentials reach the app only through the endpoint")
                        .doesNotContain("AWS_ACCESS_KEY_ID");

                List<JsonNode> audit = JsonLinesFile.lines(state.resolve("audit"), "audit.log").stream().map(InstanceRoleIT::json).toList();
                assertThat(audit).filteredOn(a -> a.at("/userIdentity/type").asText().equals("AssumedRole"))
                        .extracting(a -> a.path("eventName").asText() + " " + a.path("errorCode").asText(""))
                        .containsExactly("ListServices ", "DeleteService AccessDeniedException");
                assertThat(audit).filteredOn(a -> a.at("/userIdentity/type").asText().equals("AssumedRole"))
                        .allSatisfy(a -> assertThat(a.at("/userIdentity/accessKeyId").asText()).startsWith("ASIA"));
                assertThat(admin.ok("list-services").get("ServiceSummaryList")).as("not deleted").hasSize(1);

                HttpClient http = HttpClient.newHttpClient();
                URI endpoint = URI.create("http://127.0.0.1:" + api.port() + InstanceRoles.PATH);
                assertThat(http.send(HttpRequest.newBuilder(endpoint).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                        .isEqualTo(403);
                String token = roles.environment(arn, "arn:aws:iam::000000000000:role/lister").get("AWS_CONTAINER_AUTHORIZATION_TOKEN");
                HttpResponse<String> forged = http.send(HttpRequest.newBuilder(endpoint).header("Authorization",
                        token.substring(0, token.length() - 2) + "AA").build(), HttpResponse.BodyHandlers.ofString());
                assertThat(forged.statusCode()).isEqualTo(403);
                JsonNode issued = JSON.readTree(http.send(HttpRequest.newBuilder(endpoint).header("Authorization", token).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                assertThat(issued.get("AccessKeyId").asText()).startsWith("ASIA");
                AwsCli withoutToken = AwsCli.withKeys(api.port(), issued.get("AccessKeyId").asText(), issued.get("SecretAccessKey").asText());
                assertThat(withoutToken.apprunner("list-services").errorCode()).as("a temporary key needs its session token")
                        .isEqualTo("UnrecognizedClientException");
            } finally {
                api.close();
            }
        }
    }

    private static JsonNode json(String line) {
        try {
            return JSON.readTree(line);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A Python app that runs the AWS CLI with its own environment (no credentials file) and answers what it said. */
    private static void writeApp(Path dir) throws Exception {
        dev.slipway.core.testing.TestApps.writePythonApp(dir, """
                import json, os, subprocess, urllib.parse
                from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
                def aws(*args):
                    env = dict(os.environ, AWS_CONFIG_FILE="/nonexistent", AWS_SHARED_CREDENTIALS_FILE="/nonexistent",
                               AWS_EC2_METADATA_DISABLED="true", AWS_PAGER="")
                    p = subprocess.run(["aws", *args], env=env, capture_output=True, text=True, timeout=60)
                    return {"exit": p.returncode, "out": p.stdout, "err": p.stderr}
                class Handler(BaseHTTPRequestHandler):
                    protocol_version = "HTTP/1.1"
                    def do_GET(self):
                        q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
                        endpoint, arn = q["endpoint"][0], q["arn"][0]
                        body = json.dumps({"list": aws("apprunner", "list-services", "--endpoint-url", endpoint),
                                           "delete": aws("apprunner", "delete-service", "--service-arn", arn, "--endpoint-url", endpoint),
                                           "env": " ".join(sorted(k for k in os.environ if k.startswith("AWS_")))}).encode()
                        self.send_response(200)
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)
                    def log_message(self, *args):
                        pass
                server = ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler)
                server.daemon_threads = True
                server.serve_forever()
                """, Map.of());
    }
}
