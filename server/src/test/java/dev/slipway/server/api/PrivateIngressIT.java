package dev.slipway.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.core.Slipway;
import dev.slipway.core.testing.TestApps;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Private services and VPC ingress connections through the unmodified AWS CLI, with real processes and HTTP: a service
 * with IsPubliclyAccessible false answers the public listener's 404; a connection makes it reachable on the private
 * listener its VpcId names, at the connection's DomainName (and nothing else is served there); an update moves it to
 * another private listener; deleting the service deletes its connection. Bad input is refused with the model's errors.
 * A connection survives a restart of a durable server. A DUAL_STACK service is served on [::1] too, an IPV4 one is not.
 */
class PrivateIngressIT {
    @TempDir
    Path tmp;

    private Slipway slipway;
    private ApiServer api;
    private AwsCli aws;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        TestApps.writePythonGreeter(tmp.resolve("public"), "Hello", "Public");
        TestApps.writePythonGreeter(tmp.resolve("private"), "Hello", "Private");
        open(tmp.resolve("state"), false);
    }

    private void open(Path state, boolean durable) throws Exception {
        ApiCredentials credentials = ApiCredentials.load(Map.of(), state);
        slipway = Slipway.builder().routerPort(0).stateDir(state).durableState(durable).allowedSourceDirectories(List.of(tmp))
                .privateListener("internal", "127.0.0.2", 0).privateListener("other", "127.0.0.3", 0).build();
        api = ApiServer.start(slipway, credentials, "127.0.0.1", 0);
        aws = AwsCli.withCredentialsFile(api.port(), credentials.file().orElseThrow());
    }

    @AfterEach
    void stop() {
        api.close();
        slipway.close();
    }

    @Test
    void aPrivateServiceIsReachedOnlyThroughItsIngressConnection() throws Exception {
        String publicArn = create("open-svc", "public", true);
        String privateArn = create("closed-svc", "private", false);
        aws.awaitStatus(publicArn, "RUNNING");
        aws.awaitStatus(privateArn, "RUNNING");
        JsonNode described = aws.ok("describe-service", "--service-arn", privateArn).at("/Service");
        assertThat(described.at("/NetworkConfiguration/IngressConfiguration/IsPubliclyAccessible").asBoolean(true)).isFalse();
        String publicHost = host(publicArn);
        String privateHost = host(privateArn);
        int router = slipway.routerPort().orElseThrow();
        assertThat(get("127.0.0.1", router, publicHost).body()).isEqualTo("Hello, Public!");
        assertThat(get("127.0.0.1", router, privateHost).statusCode()).as("a private service on the public listener").isEqualTo(404);

        JsonNode created = aws.ok("create-vpc-ingress-connection", "--service-arn", privateArn, "--vpc-ingress-connection-name",
                "closed-internal", "--ingress-vpc-configuration", "VpcId=internal,VpcEndpointId=vpce-01").at("/VpcIngressConnection");
        String arn = created.get("VpcIngressConnectionArn").asText();
        assertThat(created.get("Status").asText()).isEqualTo("PENDING_CREATION");
        String domain = created.get("DomainName").asText();
        assertThat(domain).isEqualTo(privateHost.substring(0, privateHost.indexOf('.')) + ".internal.localhost");
        await().atMost(Duration.ofSeconds(10)).until(() -> aws.ok("describe-vpc-ingress-connection", "--vpc-ingress-connection-arn", arn)
                .at("/VpcIngressConnection/Status").asText().equals("AVAILABLE"));
        JsonNode targets = aws.ok("describe-custom-domains", "--service-arn", privateArn).get("VpcDNSTargets");
        assertThat(targets).hasSize(1);
        assertThat(targets.get(0).get("DomainName").asText()).isEqualTo(domain);
        assertThat(targets.get(0).get("VpcId").asText()).isEqualTo("internal");
        int internal = slipway.privateListenerPort("internal").orElseThrow();
        int other = slipway.privateListenerPort("other").orElseThrow();
        assertThat(get("127.0.0.2", internal, domain).body()).isEqualTo("Hello, Private!");
        assertThat(get("127.0.0.2", internal, publicHost).statusCode()).as("nothing else on a private listener").isEqualTo(404);
        assertThat(get("127.0.0.2", internal, privateHost).statusCode()).as("only at the connection's domain name").isEqualTo(404);
        assertThat(get("127.0.0.1", router, privateHost).statusCode()).isEqualTo(404);

        // bad input: the model's errors, nothing changed
        assertThat(aws.apprunner("create-vpc-ingress-connection", "--service-arn", privateArn, "--vpc-ingress-connection-name",
                "second-one", "--ingress-vpc-configuration", "VpcId=internal,VpcEndpointId=vpce-02").errorCode()).isEqualTo("InvalidStateException");
        AwsCli.Result unknown = aws.apprunner("create-vpc-ingress-connection", "--service-arn", publicArn, "--vpc-ingress-connection-name",
                "open-nowhere", "--ingress-vpc-configuration", "VpcId=vpc-123,VpcEndpointId=vpce-03");
        assertThat(unknown.errorCode()).isEqualTo("InvalidRequestException");
        assertThat(unknown.stderr()).contains("VpcId vpc-123 names no private listener").contains("internal, other");
        assertThat(aws.ok("list-vpc-ingress-connections").get("VpcIngressConnectionSummaryList")).hasSize(1);
        assertThat(aws.ok("list-vpc-ingress-connections", "--filter", "ServiceArn=" + publicArn).get("VpcIngressConnectionSummaryList")).isEmpty();

        // an update moves it to the other listener, at a new name
        JsonNode updated = aws.ok("update-vpc-ingress-connection", "--vpc-ingress-connection-arn", arn, "--ingress-vpc-configuration",
                "VpcId=other,VpcEndpointId=vpce-01").at("/VpcIngressConnection");
        assertThat(updated.get("Status").asText()).isEqualTo("PENDING_UPDATE");
        String moved = updated.get("DomainName").asText();
        assertThat(moved).endsWith(".other.localhost");
        assertThat(get("127.0.0.3", other, moved).body()).isEqualTo("Hello, Private!");
        assertThat(get("127.0.0.2", internal, domain).statusCode()).isEqualTo(404);

        // deleting the service deletes its connection
        aws.ok("delete-service", "--service-arn", privateArn);
        await().atMost(Duration.ofSeconds(60)).until(() -> aws.ok("describe-vpc-ingress-connection", "--vpc-ingress-connection-arn", arn)
                .at("/VpcIngressConnection/Status").asText().equals("DELETED"));
        assertThat(get("127.0.0.3", other, moved).statusCode()).isEqualTo(404);
        assertThat(aws.ok("list-vpc-ingress-connections").get("VpcIngressConnectionSummaryList")).isEmpty();
    }

    @Test
    void anIngressConnectionSurvivesARestartOfADurableServer() throws Exception {
        stop();
        Path state = tmp.resolve("durable");
        open(state, true);
        String privateArn = create("kept-svc", "private", false);
        aws.awaitStatus(privateArn, "RUNNING");
        JsonNode created = aws.ok("create-vpc-ingress-connection", "--service-arn", privateArn, "--vpc-ingress-connection-name",
                "kept-internal", "--ingress-vpc-configuration", "VpcId=internal,VpcEndpointId=vpce-01").at("/VpcIngressConnection");
        String arn = created.get("VpcIngressConnectionArn").asText();
        String domain = created.get("DomainName").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> aws.ok("describe-vpc-ingress-connection", "--vpc-ingress-connection-arn", arn)
                .at("/VpcIngressConnection/Status").asText().equals("AVAILABLE"));
        assertThat(get("127.0.0.2", slipway.privateListenerPort("internal").orElseThrow(), domain).body()).isEqualTo("Hello, Private!");

        stop();
        open(state, true);
        JsonNode kept = aws.ok("describe-vpc-ingress-connection", "--vpc-ingress-connection-arn", arn).at("/VpcIngressConnection");
        assertThat(kept.get("Status").asText()).isEqualTo("AVAILABLE");
        assertThat(kept.get("DomainName").asText()).isEqualTo(domain);
        assertThat(kept.at("/IngressVpcConfiguration/VpcId").asText()).isEqualTo("internal");
        aws.awaitStatus(privateArn, "RUNNING");
        int internal = slipway.privateListenerPort("internal").orElseThrow();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(get("127.0.0.2", internal, domain).body())
                .as("served at its domain on the reopened private listener").isEqualTo("Hello, Private!"));
        assertThat(get("127.0.0.1", slipway.routerPort().orElseThrow(), host(privateArn)).statusCode())
                .as("still private after the restart").isEqualTo(404);
        assertThat(aws.ok("list-vpc-ingress-connections").get("VpcIngressConnectionSummaryList")).hasSize(1);
    }

    @Test
    void aDualStackServiceIsServedOnIpv6TooAnIpv4OneIsNot() throws Exception {
        String dual = create("dual-svc", "public", "IpAddressType=DUAL_STACK");
        String v4 = create("v4-svc", "private", "IpAddressType=IPV4");
        aws.awaitStatus(dual, "RUNNING");
        aws.awaitStatus(v4, "RUNNING");
        assertThat(aws.ok("describe-service", "--service-arn", dual).at("/Service/NetworkConfiguration/IpAddressType").asText())
                .isEqualTo("DUAL_STACK");
        int router = slipway.routerPort().orElseThrow();
        int ipv6 = slipway.ipv6RouterPort().orElseThrow();
        assertThat(ipv6).as("the router's own port, on ::1").isEqualTo(router);
        assertThat(get("[::1]", ipv6, host(dual)).body()).isEqualTo("Hello, Public!");
        assertThat(get("[::1]", ipv6, host(v4)).statusCode()).as("an IPV4 service over IPv6").isEqualTo(404);
        assertThat(get("127.0.0.1", router, host(dual)).body()).isEqualTo("Hello, Public!");
        assertThat(get("127.0.0.1", router, host(v4)).body()).isEqualTo("Hello, Private!");
    }

    private String create(String name, String dir, boolean open) throws Exception {
        return create(name, dir, "IngressConfiguration={IsPubliclyAccessible=" + open + "}");
    }

    private String create(String name, String dir, String network) throws Exception {
        return aws.ok("create-service", "--service-name", name, "--source-configuration",
                "{\"CodeRepository\": {\"RepositoryUrl\": \"" + tmp.resolve(dir).toUri() + "\", \"SourceCodeVersion\": "
                        + "{\"Type\": \"BRANCH\", \"Value\": \"main\"}}, \"AutoDeploymentsEnabled\": false}",
                "--network-configuration", network).at("/Service/ServiceArn").asText();
    }

    private String host(String arn) throws Exception {
        String url = aws.ok("describe-service", "--service-arn", arn).at("/Service/ServiceUrl").asText();
        return url.replaceFirst(":.*", "");
    }

    private HttpResponse<String> get(String address, int port, String host) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + address + ":" + port + "/")).header("Host", host)
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
