package dev.slipway.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.core.Slipway;
import dev.slipway.core.SlipwayBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MinSize 0 through the unmodified AWS CLI (its own check turned off with parameter_validation = false, as the user
 * guide says): taken by a server that allows scale to zero, refused with the model's rule and what to do by one that
 * does not; everything else in the request is still checked against the model.
 */
class ScaleToZeroApiIT {
    @TempDir
    Path tmp;

    @Test
    void minSizeZeroIsTakenOnlyWhereTheServerAllowsIt() throws Exception {
        Path config = Files.writeString(tmp.resolve("aws-config"), "[default]\nparameter_validation = false\n");
        for (boolean allowed : new boolean[] {true, false}) {
            Path state = tmp.resolve(allowed ? "allowed" : "plain");
            ApiCredentials credentials = ApiCredentials.load(Map.of(), state);
            SlipwayBuilder builder = Slipway.builder().backend("local").routerPort(-1).stateDir(state);
            try (Slipway slipway = (allowed ? builder.scaleToZero(Duration.ofSeconds(60)) : builder).build();
                 ApiServer api = ApiServer.start(slipway, credentials, "127.0.0.1", 0)) {
                AwsCli aws = new AwsCli(api.port(), Map.of("AWS_ACCESS_KEY_ID", credentials.accessKeyId(), "AWS_SECRET_ACCESS_KEY",
                        credentials.secretAccessKey(), "AWS_CONFIG_FILE", config.toString()));
                AwsCli.Result r = aws.apprunner("create-auto-scaling-configuration", "--auto-scaling-configuration-name", "to-zero",
                        "--min-size", "0", "--max-size", "2");
                if (allowed) {
                    assertThat(r.exitCode()).as(r.stderr()).isZero();
                    assertThat(r.json().at("/AutoScalingConfiguration/MinSize").asInt()).isZero();
                    assertThat(aws.apprunner("create-auto-scaling-configuration", "--auto-scaling-configuration-name", "to-zero",
                            "--min-size", "0", "--max-concurrency", "201").stderr()).as("the rest of the model still holds")
                            .contains("maxConcurrency").contains("less than or equal to 200");
                } else {
                    assertThat(r.errorCode()).isEqualTo("InvalidRequestException");
                    assertThat(r.stderr()).contains("minSize").contains("--allow-scale-to-zero");
                }
            }
        }
    }
}
