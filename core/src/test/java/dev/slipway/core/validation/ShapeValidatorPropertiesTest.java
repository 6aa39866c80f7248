package dev.slipway.core.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.core.InvalidRequestException;
import dev.slipway.core.api.CreateAutoScalingConfigurationRequest;
import dev.slipway.core.api.CreateServiceRequest;
import dev.slipway.core.model.*;
import dev.slipway.core.model.Runtime;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;

/** Requests are checked against the API model's constraints, and errors name the field and the rule. */
class ShapeValidatorPropertiesTest {
    private static final ShapeValidator VALIDATOR = ShapeValidator.instance();
    private static final SourceConfiguration SOURCE = SourceConfiguration.of(new CodeRepository("file:///app",
            SourceCodeVersion.branch("main"), CodeConfiguration.fromRepository(), null));

    @Property
    void serviceNamesMatchingTheModelAreAccepted(@ForAll("validServiceNames") String name) {
        assertThatCode(() -> VALIDATOR.validate("CreateServiceRequest", create(name))).doesNotThrowAnyException();
    }

    @Property
    void tooShortOrTooLongServiceNamesAreRejectedNamingTheLengthRule(@ForAll("badLengthNames") String name) {
        assertThatThrownBy(() -> VALIDATOR.validate("CreateServiceRequest", create(name)))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("at 'serviceName'")
                .hasMessageContaining("Member must have length");
    }

    @Property
    void serviceNamesWithForbiddenCharactersAreRejectedNamingThePattern(
            @ForAll @StringLength(min = 3, max = 30) String stem, @ForAll("forbidden") char bad) {
        String name = "a" + stem.replaceAll("[^A-Za-z0-9]", "x") + bad;
        assertThatThrownBy(() -> VALIDATOR.validate("CreateServiceRequest", create(name)))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("at 'serviceName'")
                .hasMessageContaining("regular expression pattern");
    }

    @Property
    void healthCheckIntervalsOutsideOneToTwentyAreRejected(@ForAll @IntRange(min = -50, max = 80) int interval) {
        CreateServiceRequest r = CreateServiceRequest.builder().serviceName("valid-name").sourceConfiguration(SOURCE)
                .healthCheckConfiguration(new HealthCheckConfiguration(HealthCheckProtocol.HTTP, "/", interval, null, null, null))
                .build();
        if (interval >= 1 && interval <= 20) {
            assertThatCode(() -> VALIDATOR.validate("CreateServiceRequest", r)).doesNotThrowAnyException();
        } else {
            assertThatThrownBy(() -> VALIDATOR.validate("CreateServiceRequest", r))
                    .hasMessageContaining("at 'healthCheckConfiguration.interval'")
                    .hasMessageContaining(interval < 1 ? "greater than or equal to 1" : "less than or equal to 20");
        }
    }

    @Property
    void maxConcurrencyIsBetweenOneAndTwoHundred(@ForAll @IntRange(min = -10, max = 400) int mc) {
        CreateAutoScalingConfigurationRequest r = new CreateAutoScalingConfigurationRequest("high-availability", mc, null, null, null);
        boolean valid = mc >= 1 && mc <= 200;
        if (valid) {
            assertThatCode(() -> VALIDATOR.validate("CreateAutoScalingConfigurationRequest", r)).doesNotThrowAnyException();
        } else {
            assertThatThrownBy(() -> VALIDATOR.validate("CreateAutoScalingConfigurationRequest", r))
                    .hasMessageContaining("at 'maxConcurrency'");
        }
    }

    @Example
    void missingRequiredMembersAreNamed() {
        assertThatThrownBy(() -> VALIDATOR.validate("CreateServiceRequest", CreateServiceRequest.builder().build()))
                .hasMessageStartingWith("2 validation errors detected")
                .hasMessageContaining("Value null at 'serviceName' failed to satisfy constraint: Member must not be null")
                .hasMessageContaining("Value null at 'sourceConfiguration'");
    }

    @Example
    void nestedMembersAreNamedWithTheirPath() {
        CreateServiceRequest r = CreateServiceRequest.builder().serviceName("valid-name")
                .sourceConfiguration(SourceConfiguration.of(new CodeRepository("file:///app", null, null, "")))
                .instanceConfiguration(new InstanceConfiguration("3 vCPU", null, null)).build();
        assertThatThrownBy(() -> VALIDATOR.validate("CreateServiceRequest", r))
                .hasMessageContaining("Value null at 'sourceConfiguration.codeRepository.sourceCodeVersion'")
                .hasMessageContaining("at 'sourceConfiguration.codeRepository.sourceDirectory'")
                .hasMessageContaining("Value '3 vCPU' at 'instanceConfiguration.cpu'");
    }

    @Example
    void sensitiveValuesAreNeverEchoed() {
        CreateServiceRequest r = CreateServiceRequest.builder().serviceName("valid-name")
                .sourceConfiguration(SourceConfiguration.of(new CodeRepository("file:///app", SourceCodeVersion.branch("main"),
                        CodeConfiguration.fromApi(new CodeConfigurationValues(Runtime.PYTHON_3, null, "python app.py", null,
                                null, Map.of("API_KEY", ""))), null))).build();
        assertThatThrownBy(() -> VALIDATOR.validate("CreateServiceRequest", r))
                .hasMessageContaining("Value at 'sourceConfiguration.codeRepository.codeConfiguration.codeConfigurationValues.runtimeEnvironmentSecrets.API_KEY.value'")
                .hasMessageNotContaining("''");
    }

    @Example
    void tagKeysStartingWithAwsAreRejected() {
        assertThatThrownBy(() -> VALIDATOR.validate("CreateServiceRequest", CreateServiceRequest.builder()
                .serviceName("valid-name").sourceConfiguration(SOURCE).tag("aws:owner", "me").build()))
                .hasMessageContaining("at 'tags.1.member.key'");
    }

    @Example
    void unknownJsonMembersAreReported() {
        var json = Shapes.mapper().createObjectNode().put("ServiceArn", "arn:aws:apprunner:us-east-1:000000000000:service/a/b")
                .put("Colour", "blue");
        assertThatThrownBy(() -> VALIDATOR.validate("DescribeServiceRequest", json)).hasMessageContaining("Unknown member 'colour'");
        assertThat(VALIDATOR.shape("ServiceName").get("max").asInt()).isEqualTo(40);
    }

    private static CreateServiceRequest create(String name) {
        return CreateServiceRequest.builder().serviceName(name).sourceConfiguration(SOURCE).build();
    }

    @Provide
    Arbitrary<String> validServiceNames() {
        Arbitrary<Character> first = Arbitraries.chars().alpha().numeric();
        Arbitrary<String> rest = Arbitraries.strings().alpha().numeric().withChars('-', '_').ofMinLength(3).ofMaxLength(39);
        return net.jqwik.api.Combinators.combine(first, rest).as((f, r) -> f + r);
    }

    @Provide
    Arbitrary<String> badLengthNames() {
        return Arbitraries.oneOf(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(3),
                Arbitraries.strings().alpha().ofMinLength(41).ofMaxLength(80));
    }

    @Provide
    Arbitrary<Character> forbidden() {
        return Arbitraries.of(' ', '.', '/', '!', '@', '#', '$', 'é', ':');
    }
}
