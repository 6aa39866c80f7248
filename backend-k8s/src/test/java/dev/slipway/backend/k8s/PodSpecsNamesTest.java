package dev.slipway.backend.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.core.spi.InstanceSpec;
import dev.slipway.core.spi.PreparedRevision;
import dev.slipway.core.spi.Resources;
import dev.slipway.core.spi.RunConfiguration;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The names and labels Slipway gives Kubernetes objects are ones a real API server accepts, for every service name
 * App Runner allows ({@code [A-Za-z0-9][A-Za-z0-9-_]{3,39}}) and every id Slipway makes. The mock API server does not
 * validate names, so this is the check.
 */
class PodSpecsNamesTest {
    private static final String DNS_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private static final String DNS_1035_LABEL = "[a-z]([-a-z0-9]*[a-z0-9])?";
    private static final String LABEL_VALUE = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";

    @Provide
    Arbitrary<String> serviceNames() {
        Arbitrary<Character> first = Arbitraries.chars().alpha().numeric();
        Arbitrary<String> rest = Arbitraries.strings().alpha().numeric().withChars('-', '_').ofMinLength(3).ofMaxLength(39);
        return Combinators.combine(first, rest).as((f, r) -> f + r);
    }

    @net.jqwik.api.Example
    void aNameOfDigitsOnlyStillGivesAServiceNameThatStartsWithALetter() {
        assertThat(PodSpecs.kubeServiceName("1234", "5678901234")).isEqualTo("s-1234-56789012");
    }

    @Property
    void everyNameIsAValidDnsLabelAndEveryLabelValueIsValid(@ForAll("serviceNames") String serviceName) {
        String serviceId = UUID.randomUUID().toString().replace("-", "");
        String revisionId = "r" + System.currentTimeMillis() + "-" + UUID.randomUUID().toString().substring(0, 8);
        String instanceId = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        InstanceSpec spec = new InstanceSpec(UUID.randomUUID().toString(), "arn:aws:apprunner:us-east-1:000000000000:service/"
                + serviceName + "/" + serviceId, serviceName, revisionId, instanceId);
        PreparedRevision revision = new PreparedRevision(serviceId, revisionId, "registry.example.com/app@sha256:" + "a".repeat(64),
                Map.of(), new RunConfiguration(Optional.of("serve"), 8080, Optional.empty(), Map.of(), Map.of("TOKEN", "x"),
                        Resources.DEFAULT));

        assertThat(PodSpecs.podName(spec)).as("a pod's name is its hostname").hasSizeLessThanOrEqualTo(63).matches(DNS_LABEL);
        for (String name : new String[] {PodSpecs.ownerName(serviceId), PodSpecs.secretName(revision),
                PodSpecs.pullSecretName(serviceId, revisionId)}) {
            assertThat(name).as("ConfigMap and Secret names are DNS subdomains").hasSizeLessThanOrEqualTo(253).matches(DNS_LABEL);
        }
        assertThat(PodSpecs.kubeServiceName(serviceName, serviceId)).hasSizeLessThanOrEqualTo(63).matches(DNS_1035_LABEL);
        Pod pod = PodSpecs.pod(revision, spec, dev.slipway.core.model.HealthCheckConfiguration.DEFAULT, 8080, false, 30,
                PodSpecs.ownedBy(PodSpecs.owner(serviceId, serviceName, spec.serviceArn())), java.util.List.of());
        pod.getMetadata().getLabels().values().forEach(v -> assertThat(v).hasSizeLessThanOrEqualTo(63).matches(LABEL_VALUE));
        assertThat(InstanceSpec.fromLabels(pod.getMetadata().getAnnotations())).as("the owner labels read back").isEqualTo(spec);
    }
}
