package dev.slipway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.core.api.CreateServiceRequest;
import dev.slipway.core.api.CreateVpcIngressConnectionRequest;
import dev.slipway.core.api.DeleteVpcIngressConnectionRequest;
import dev.slipway.core.api.DescribeVpcIngressConnectionRequest;
import dev.slipway.core.api.ListVpcIngressConnectionsRequest;
import dev.slipway.core.api.UpdateVpcIngressConnectionRequest;
import dev.slipway.core.model.CodeRepository;
import dev.slipway.core.model.IngressVpcConfiguration;
import dev.slipway.core.model.SourceCodeVersion;
import dev.slipway.core.model.SourceConfiguration;
import dev.slipway.core.testing.FakeBackend;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * VPC ingress connections' bad input, without a router: the model's rules, a VpcId that names no private listener, an
 * unknown service or connection; each refused with the model's error, nothing created.
 */
class VpcIngressConnectionsTest {
    @TempDir
    Path tmp;

    private Slipway slipway;

    @BeforeEach
    void start() {
        slipway = Slipway.builder().backend(new FakeBackend()).routerPort(-1).stateDir(tmp.resolve("state")).build();
    }

    @AfterEach
    void stop() {
        slipway.close();
    }

    @Test
    void badInputIsRefusedWithTheModelsErrorsAndCreatesNothing() {
        String service = slipway.createService(CreateServiceRequest.builder().serviceName("ledger").sourceConfiguration(
                SourceConfiguration.of(new CodeRepository(tmp.resolve("none").toString(), SourceCodeVersion.branch("main"), null, null)))
                .build()).service().serviceArn();
        String ghost = service.replace("/ledger/", "/ghost/");

        assertThatThrownBy(() -> create(service, "x", "internal", "vpce-1")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("vpcIngressConnectionName");
        assertThatThrownBy(() -> create(service, "ledger-internal", "internal", "vpce-1")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("VpcId internal names no private listener of this server (it has none)")
                .hasMessageContaining("--private-listener internal=ADDRESS:PORT");
        assertThatThrownBy(() -> create(ghost, "ledger-internal", "internal", "vpce-1")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("names no service");
        assertThatThrownBy(() -> create(service, "ledger-internal", "", "vpce-1")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("VpcId is required");
        assertThat(slipway.listVpcIngressConnections(new ListVpcIngressConnectionsRequest(null, null, null))
                .vpcIngressConnectionSummaryList()).as("nothing created").isEmpty();

        String unknown = "arn:aws:apprunner:us-east-1:000000000000:vpcingressconnection/nope/0123456789abcdef";
        assertThatThrownBy(() -> slipway.describeVpcIngressConnection(new DescribeVpcIngressConnectionRequest(unknown)))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> slipway.updateVpcIngressConnection(new UpdateVpcIngressConnectionRequest(unknown,
                new IngressVpcConfiguration("internal", "vpce-1")))).isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> slipway.deleteVpcIngressConnection(new DeleteVpcIngressConnectionRequest(unknown)))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> slipway.describeVpcIngressConnection(new DescribeVpcIngressConnectionRequest(service)))
                .as("the ARN of something else").isInstanceOf(InvalidRequestException.class).hasMessageContaining("vpcingressconnection");
    }

    private void create(String service, String name, String vpcId, String endpoint) {
        slipway.createVpcIngressConnection(new CreateVpcIngressConnectionRequest(service, name, new IngressVpcConfiguration(vpcId, endpoint),
                List.of()));
    }
}
