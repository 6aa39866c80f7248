package dev.slipway.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.server.SlipwayJar;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code slipway server} does not fetch, for whoever calls its API, from addresses only it can reach. */
class SourceUrlPolicyIT {
    private static final Pattern LISTENING = Pattern.compile("Slipway API listening on http://127\\.0\\.0\\.1:(\\d+) ");

    @TempDir
    Path tmp;

    @Test
    void byDefaultARepositoryUrlOnALoopbackOrLinkLocalHostIsRefusedAndNothingIsCreated() throws Exception {
        Path state = tmp.resolve("state");
        try (SlipwayJar server = SlipwayJar.start("server", "--state-dir", state.toString(), "--api-port", "0", "--router-port", "0")) {
            Matcher ports = server.awaitLine(LISTENING, Duration.ofMinutes(1));
            AwsCli aws = AwsCli.withCredentialsFile(Integer.parseInt(ports.group(1)), state.resolve("credentials"));
            for (String url : List.of("http://127.0.0.1:8484/admin.git", "https://localhost/app.git", "http://169.254.169.254/latest/x.git",
                    "ssh://git@[::1]/app.git", "git@localhost:team/app.git")) {
                AwsCli.Result r = aws.apprunner("create-service", "--service-name", "probe", "--source-configuration",
                        "{\"CodeRepository\":{\"RepositoryUrl\":\"" + url + "\",\"SourceCodeVersion\":{\"Type\":\"BRANCH\",\"Value\":\"main\"}}}");
                assertThat(r.errorCode()).as(url + ": " + r.stderr()).isEqualTo("InvalidRequestException");
                assertThat(r.stderr()).contains("sourceConfiguration.codeRepository.repositoryUrl", "--source-url-policy any");
            }
            assertThat(aws.ok("list-services").findValuesAsText("ServiceName")).isEmpty();
        }
    }
}
