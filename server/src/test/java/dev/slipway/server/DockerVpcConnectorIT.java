package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.slipway.backend.docker.Docker;
import dev.slipway.core.InvalidRequestException;
import dev.slipway.core.Slipway;
import dev.slipway.core.api.CreateServiceRequest;
import dev.slipway.core.api.CreateVpcConnectorRequest;
import dev.slipway.core.api.DeleteVpcConnectorRequest;
import dev.slipway.core.api.UpdateServiceRequest;
import dev.slipway.core.model.EgressConfiguration;
import dev.slipway.core.model.EgressType;
import dev.slipway.core.model.ImageConfiguration;
import dev.slipway.core.model.ImageRepository;
import dev.slipway.core.model.ImageRepositoryType;
import dev.slipway.core.model.NetworkConfiguration;
import dev.slipway.core.model.OperationStatus;
import dev.slipway.core.model.SourceConfiguration;
import dev.slipway.core.model.VpcConnectorStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A VPC connector on Docker, with real containers: a "database" (an HTTP stand-in) runs on a user-defined network of
 * its own; a service whose egress goes through a connector naming that network reaches it by name, a service without
 * one cannot; detaching (UpdateService to EgressType DEFAULT) takes effect with the update's deployment, after which the
 * connector can be deleted; a connector naming a network that does not exist fails the deployment, saying so. Security
 * groups limit what else it reaches: a host address beside the networks answers a service whose group allows it, and is
 * refused to one whose group does not. The test itself only talks to 127.0.0.1 (the router); the services talk to the
 * database inside the network, and to the host.
 */
class DockerVpcConnectorIT {
    private static final String DB_NET = "slipway-it-db-net";
    private static final String DB = "slipway-it-db";
    /** The database: answers every GET with "secret rows". */
    private static final String DB_APP = """
            import http.server
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    self.send_response(200); self.send_header("Content-Length", "11"); self.end_headers(); self.wfile.write(b"secret rows")
            http.server.HTTPServer(("0.0.0.0", 8000), H).serve_forever()
            """;
    /** The service: answers with what the URL in its path said (the database by default), or why it could not reach it. */
    private static final String APP = """
            import http.server, os, urllib.request
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    url = os.environ.get(self.path[1:].upper() or "DB_URL", "")
                    try:
                        body = urllib.request.urlopen(url, timeout=2).read()
                    except Exception as e:
                        body = ("unreachable: %s" % e).encode()
                    self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
            http.server.HTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
            """;

    @TempDir
    Path tmp;

    @BeforeAll
    static void engine() {
        Docker.requireEngineAndBusybox();
        Docker.requireDebianPython();
        cleanUp();
        Docker.run("network", "create", "--driver", "bridge", DB_NET);
        Docker.run("run", "-d", "--name", DB, "--network", DB_NET, Docker.DEBIAN_PYTHON, "python3", "-c", DB_APP);
    }

    @AfterAll
    static void cleanUp() {
        quietly("rm", "-f", DB);
        quietly("network", "rm", DB_NET);
        quietly("network", "rm", "slipway-it-other-net");
    }

    @Test
    void securityGroupsLimitWhatElseTheServiceReaches() throws Exception {
        // the host answers at the gateway of a network no service joins: a destination beside the connector's subnets
        Docker.run("network", "create", "--driver", "bridge", "--subnet", "10.232.7.0/24", OTHER_NET);
        com.sun.net.httpserver.HttpServer outside = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("10.232.7.1", 0), 0);
        outside.createContext("/", e -> {
            byte[] body = "from outside".getBytes();
            e.sendResponseHeaders(200, body.length);
            e.getResponseBody().write(body);
            e.close();
        });
        outside.start();
        outsideUrl = "http://10.232.7.1:" + outside.getAddress().getPort() + "/";
        try (Slipway slipway = Slipway.builder().backend("docker").routerPort(0).stateDir(tmp.resolve("state"))
                .securityGroup("to-outside", "10.232.7.1/32:" + outside.getAddress().getPort())
                .securityGroup("elsewhere", "192.0.2.0/24:443").build()) {
            String open = slipway.createVpcConnector(new CreateVpcConnectorRequest("db-and-outside", List.of(DB_NET), List.of("to-outside"),
                    List.of())).vpcConnector().vpcConnectorArn();
            String closed = slipway.createVpcConnector(new CreateVpcConnectorRequest("db-only", List.of(DB_NET), List.of("elsewhere"),
                    List.of())).vpcConnector().vpcConnectorArn();
            var allowed = slipway.createService(service("allowed", new EgressConfiguration(EgressType.VPC, open)));
            var limited = slipway.createService(service("limited", new EgressConfiguration(EgressType.VPC, closed)));
            allowed.operation().awaitSuccess(Duration.ofMinutes(2));
            limited.operation().awaitSuccess(Duration.ofMinutes(2));

            assertThat(get(slipway, allowed.service().serviceArn(), "/outside_url")).isEqualTo("from outside");
            assertThat(get(slipway, allowed.service().serviceArn())).as("the subnets stay reachable").isEqualTo("secret rows");
            assertThat(get(slipway, limited.service().serviceArn(), "/outside_url")).as("not in its groups")
                    .startsWith("unreachable: ").contains("refused");
            assertThat(get(slipway, limited.service().serviceArn())).isEqualTo("secret rows");
        } finally {
            outside.stop(0);
            quietly("network", "rm", OTHER_NET);
        }
    }

    private static final String OTHER_NET = "slipway-it-other-net";

    /** A docker command whose failure does not matter (what it removes may not be there). */
    private static void quietly(String... args) {
        try {
            List<String> command = new java.util.ArrayList<>(List.of("docker"));
            command.addAll(List.of(args));
            new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
                    .waitFor(1, java.util.concurrent.TimeUnit.MINUTES);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aServiceThroughTheConnectorReachesThePrivateDatabaseOneWithoutCannot() throws Exception {
        try (Slipway slipway = Slipway.builder().backend("docker").routerPort(0).stateDir(tmp.resolve("state")).build()) {
            String connector = slipway.createVpcConnector(new CreateVpcConnectorRequest("db-access", List.of(DB_NET), List.of(), List.of()))
                    .vpcConnector().vpcConnectorArn();
            var attached = slipway.createService(service("attached", new EgressConfiguration(EgressType.VPC, connector)));
            var plain = slipway.createService(service("plain", null));
            attached.operation().awaitSuccess(Duration.ofMinutes(2));
            plain.operation().awaitSuccess(Duration.ofMinutes(2));
            String attachedArn = attached.service().serviceArn();

            assertThat(get(slipway, attachedArn)).isEqualTo("secret rows");
            assertThat(get(slipway, plain.service().serviceArn())).startsWith("unreachable: ");
            assertThatThrownBy(() -> slipway.deleteVpcConnector(new DeleteVpcConnectorRequest(connector)))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("is used by a service");

            var detached = slipway.updateService(UpdateServiceRequest.builder(attachedArn)
                    .networkConfiguration(new NetworkConfiguration(new EgressConfiguration(EgressType.DEFAULT, null), null, null)).build());
            detached.operation().awaitSuccess(Duration.ofMinutes(2));
            await().atMost(Duration.ofSeconds(30)).until(() -> get(slipway, attachedArn).startsWith("unreachable: "));
            assertThat(slipway.deleteVpcConnector(new DeleteVpcConnectorRequest(connector)).vpcConnector().status())
                    .isEqualTo(VpcConnectorStatus.INACTIVE);

            String missing = slipway.createVpcConnector(new CreateVpcConnectorRequest("nowhere", List.of("slipway-it-no-such-net"),
                    List.of(), List.of())).vpcConnector().vpcConnectorArn();
            var failed = slipway.createService(service("lost", new EgressConfiguration(EgressType.VPC, missing)));
            await().atMost(Duration.ofMinutes(2)).until(() -> failed.operation().future().isDone());
            assertThat(failed.operation().summary().status()).isEqualTo(OperationStatus.FAILED);
            assertThat(failed.operation().failureReason().orElseThrow())
                    .contains("slipway-it-no-such-net names no Docker network").contains("--create-vpc-networks");
        }
    }

    /** Where the host answers beside the networks: the gateway of a network no service joins (set by the second test). */
    private static String outsideUrl = "http://192.0.2.1:1/";

    private static CreateServiceRequest service(String name, EgressConfiguration egress) {
        // an environment value is one line (the model's pattern): the app's code goes base64-encoded
        ImageConfiguration image = new ImageConfiguration(Map.of("APP", java.util.Base64.getEncoder().encodeToString(APP.getBytes()),
                "DB_URL", "http://" + DB + ":8000/", "OUTSIDE_URL", outsideUrl), null,
                "exec python3 -c 'import base64, os; exec(base64.b64decode(os.environ[\"APP\"]))'", "8080");
        CreateServiceRequest.Builder b = CreateServiceRequest.builder().serviceName(name).sourceConfiguration(
                new SourceConfiguration(null, new ImageRepository(Docker.DEBIAN_PYTHON, image, ImageRepositoryType.ECR_PUBLIC), false, null));
        return egress == null ? b.build() : b.networkConfiguration(new NetworkConfiguration(egress, null, null)).build();
    }

    private static String get(Slipway slipway, String arn) throws Exception {
        return get(slipway, arn, "/");
    }

    private static String get(Slipway slipway, String arn, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + slipway.directPort(arn) + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
