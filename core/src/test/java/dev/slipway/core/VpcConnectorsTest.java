package dev.slipway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.core.api.CreateServiceRequest;
import dev.slipway.core.api.CreateVpcConnectorRequest;
import dev.slipway.core.api.DeleteVpcConnectorRequest;
import dev.slipway.core.api.DescribeServiceRequest;
import dev.slipway.core.api.DescribeVpcConnectorRequest;
import dev.slipway.core.api.ListServicesRequest;
import dev.slipway.core.api.ListTagsForResourceRequest;
import dev.slipway.core.api.ListVpcConnectorsRequest;
import dev.slipway.core.model.CodeRepository;
import dev.slipway.core.model.EgressConfiguration;
import dev.slipway.core.model.EgressType;
import dev.slipway.core.model.NetworkConfiguration;
import dev.slipway.core.model.SourceCodeVersion;
import dev.slipway.core.model.SourceConfiguration;
import dev.slipway.core.model.Tag;
import dev.slipway.core.model.VpcConnector;
import dev.slipway.core.model.VpcConnectorStatus;
import dev.slipway.core.spi.BackendCapabilities;
import dev.slipway.core.testing.FakeBackend;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * VPC connectors as the model and App Runner shape them: one active revision per name, the next number after a delete,
 * INACTIVE revisions still described and listed, the quota, the ids checked; a service's EgressConfiguration names an
 * active one on a backend that attaches it, and a connector in use is not deleted; every refusal changes nothing.
 */
class VpcConnectorsTest {
    @TempDir
    Path tmp;

    private Slipway slipway;
    private FakeBackend backend;

    @BeforeEach
    void start() {
        backend = new FakeBackend();
        backend.capabilities = new BackendCapabilities(true, true, false, false, false, false, true);
        slipway = Slipway.builder().backend(backend).routerPort(-1).stateDir(tmp.resolve("state"))
                .quotas(Quotas.DEFAULT.with("vpc-connectors", 2)).securityGroup("only-postgres", "10.0.0.0/8:5432").build();
    }

    @AfterEach
    void stop() {
        slipway.close();
    }

    @Test
    void aConnectorIsCreatedDescribedListedAndDeletedAsAnInactiveRevision() {
        VpcConnector c = create("db-access", List.of("backend-net", "subnet-0a1b"), List.of("only-postgres"));
        assertThat(c.vpcConnectorArn()).matches("arn:aws:apprunner:us-east-1:\\d{12}:vpcconnector/db-access/1/[0-9a-f]{32}");
        assertThat(c.status()).isEqualTo(VpcConnectorStatus.ACTIVE);
        assertThat(c.subnets()).containsExactly("backend-net", "subnet-0a1b");
        assertThat(slipway.describeVpcConnector(new DescribeVpcConnectorRequest(c.vpcConnectorArn())).vpcConnector()).isEqualTo(c);
        assertThat(slipway.listTagsForResource(new ListTagsForResourceRequest(c.vpcConnectorArn())).tags()).containsExactly(Tag.of("team", "data"));

        assertThatThrownBy(() -> create("db-access", List.of("other"), List.of()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("exists already").hasMessageContaining("one revision per name");

        VpcConnector deleted = slipway.deleteVpcConnector(new DeleteVpcConnectorRequest(c.vpcConnectorArn())).vpcConnector();
        assertThat(deleted.status()).isEqualTo(VpcConnectorStatus.INACTIVE);
        assertThat(deleted.deletedAt()).isNotNull();
        assertThat(slipway.describeVpcConnector(new DescribeVpcConnectorRequest(c.vpcConnectorArn())).vpcConnector().status())
                .isEqualTo(VpcConnectorStatus.INACTIVE);
        assertThatThrownBy(() -> slipway.deleteVpcConnector(new DeleteVpcConnectorRequest(c.vpcConnectorArn())))
                .isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("No active VPC connector");

        VpcConnector again = create("db-access", List.of("backend-net"), List.of());
        assertThat(again.vpcConnectorRevision()).isEqualTo(2);
        assertThat(slipway.listVpcConnectors(new ListVpcConnectorsRequest(null, null)).vpcConnectors())
                .extracting(VpcConnector::vpcConnectorRevision, VpcConnector::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(2, VpcConnectorStatus.ACTIVE),
                        org.assertj.core.groups.Tuple.tuple(1, VpcConnectorStatus.INACTIVE));
    }

    @Test
    void connectorsAndTheirTagsSurviveARestart() {
        slipway.close();
        slipway = Slipway.builder().backend(backend).routerPort(-1).stateDir(tmp.resolve("durable")).durableState(true)
                .securityGroup("only-postgres", "10.0.0.0/8:5432").build();
        VpcConnector c = create("db-access", List.of("backend-net"), List.of("only-postgres"));
        VpcConnector gone = create("old-one", List.of("a"), List.of());
        slipway.deleteVpcConnector(new DeleteVpcConnectorRequest(gone.vpcConnectorArn()));
        slipway.close();
        slipway = Slipway.builder().backend(backend).routerPort(-1).stateDir(tmp.resolve("durable")).durableState(true).build();

        assertThat(slipway.describeVpcConnector(new DescribeVpcConnectorRequest(c.vpcConnectorArn())).vpcConnector()).isEqualTo(c);
        assertThat(slipway.describeVpcConnector(new DescribeVpcConnectorRequest(gone.vpcConnectorArn())).vpcConnector().status())
                .isEqualTo(VpcConnectorStatus.INACTIVE);
        assertThat(slipway.listTagsForResource(new ListTagsForResourceRequest(c.vpcConnectorArn())).tags()).containsExactly(Tag.of("team", "data"));
    }

    @Test
    void badIdsAndTheQuotaAreRefusedAndCreateNothing() {
        assertThatThrownBy(() -> create("no-subnets", List.of(), List.of())).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("Subnets must name at least one subnet");
        assertThatThrownBy(() -> create("bad-subnet", List.of("has space"), List.of())).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("Subnets has 'has space', not an id");
        assertThatThrownBy(() -> create("twice", List.of("a", "a"), List.of())).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("names a twice");
        assertThatThrownBy(() -> create("many-groups", List.of("a"), List.of("g1", "g2", "g3", "g4", "g5", "g6")))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("SecurityGroups names 6 ids; a VPC connector takes at most 5");
        assertThatThrownBy(() -> create("undefined-group", List.of("a"), List.of("sg-0123")))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("SecurityGroups names sg-0123, which this Slipway does not "
                        + "define (it defines only-postgres)");
        assertThatThrownBy(() -> create("x", List.of("a"), List.of())).as("the model's name pattern: 4 to 40 characters")
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("vpcConnectorName");
        assertThat(slipway.listVpcConnectors(new ListVpcConnectorsRequest(null, null)).vpcConnectors()).isEmpty();

        create("first", List.of("a"), List.of());
        create("second", List.of("a"), List.of());
        assertThatThrownBy(() -> create("third", List.of("a"), List.of())).isInstanceOf(ServiceQuotaExceededException.class)
                .hasMessageContaining("quota of 2 VPC connectors");
        assertThat(slipway.listVpcConnectors(new ListVpcConnectorsRequest(null, null)).vpcConnectors()).hasSize(2);
    }

    @Test
    void aServicesEgressNamesAnActiveConnectorWhichIsNotDeletedWhileInUse() {
        VpcConnector c = create("db-access", List.of("backend-net"), List.of());
        String ghost = c.vpcConnectorArn().replace("/db-access/1/", "/ghost/1/");
        assertThatThrownBy(() -> slipway.createService(service("ghostly", new EgressConfiguration(EgressType.VPC, ghost))))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("names no active VPC connector");
        assertThatThrownBy(() -> slipway.createService(service("no-arn", new EgressConfiguration(EgressType.VPC, null))))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("VpcConnectorArn is required with EgressType VPC");
        assertThatThrownBy(() -> slipway.createService(service("default-arn", new EgressConfiguration(EgressType.DEFAULT, c.vpcConnectorArn()))))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("only for EgressType VPC");
        assertThat(slipway.listServices(new ListServicesRequest(null, null)).serviceSummaryList()).as("nothing half-created").isEmpty();

        String arn = slipway.createService(service("attached", new EgressConfiguration(EgressType.VPC, c.vpcConnectorArn())))
                .service().serviceArn();
        assertThat(slipway.describeService(new DescribeServiceRequest(arn)).service().networkConfiguration().egressConfiguration()
                .vpcConnectorArn()).isEqualTo(c.vpcConnectorArn());
        assertThatThrownBy(() -> slipway.deleteVpcConnector(new DeleteVpcConnectorRequest(c.vpcConnectorArn())))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("is used by a service");
        assertThat(slipway.describeVpcConnector(new DescribeVpcConnectorRequest(c.vpcConnectorArn())).vpcConnector().status())
                .isEqualTo(VpcConnectorStatus.ACTIVE);
    }

    @Test
    void aBackendThatCannotAttachAConnectorRefusesEgressTypeVpc() {
        VpcConnector c = create("db-access", List.of("backend-net"), List.of());
        backend.capabilities = new BackendCapabilities(true, true, false, false, false, false);
        assertThatThrownBy(() -> slipway.createService(service("attached", new EgressConfiguration(EgressType.VPC, c.vpcConnectorArn()))))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("EgressType VPC: the fake backend cannot attach a VPC connector");
        assertThat(slipway.listServices(new ListServicesRequest(null, null)).serviceSummaryList()).isEmpty();
    }

    private VpcConnector create(String name, List<String> subnets, List<String> groups) {
        return slipway.createVpcConnector(new CreateVpcConnectorRequest(name, subnets, groups, List.of(Tag.of("team", "data")))).vpcConnector();
    }

    private CreateServiceRequest service(String name, EgressConfiguration egress) {
        return CreateServiceRequest.builder().serviceName(name).sourceConfiguration(source())
                .networkConfiguration(new NetworkConfiguration(egress, null, null)).build();
    }

    private SourceConfiguration source() {
        return SourceConfiguration.of(new CodeRepository(tmp.resolve("no-such-dir").toString(), SourceCodeVersion.branch("main"), null, null));
    }
}
