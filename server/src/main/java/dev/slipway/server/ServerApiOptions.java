package dev.slipway.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.core.model.Shapes;
import dev.slipway.server.api.ApiClient;
import dev.slipway.server.api.ApiCredentials;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * How a command reaches a running {@code slipway server}: its endpoint, its region, and the credentials (from the
 * environment, or the server's state directory); and Slipway's own actions posted to it, signed as the AWS CLI signs.
 */
final class ServerApiOptions {
    @Option(names = "--endpoint-url", description = "The server's API (default: ${DEFAULT-VALUE}).", defaultValue = "http://127.0.0.1:8484")
    URI endpoint;

    @Mixin
    StateDirOption stateDir;

    @Option(names = "--region", description = "Region the server signs for (default: ${DEFAULT-VALUE}).", defaultValue = "us-east-1")
    String region;

    /**
     * Posts {@code target} with {@code body}; the answer's JSON, or empty after telling {@code err} why (as
     * {@code slipway <command>: ...}): no credentials, no server, or the server's error.
     */
    Optional<JsonNode> post(String command, String target, String body, PrintWriter err) throws IOException, InterruptedException {
        Optional<ApiCredentials> credentials = ApiCredentials.find(System.getenv(), stateDir.path);
        if (credentials.isEmpty()) {
            err.println("slipway " + command + ": no credentials: set SLIPWAY_ACCESS_KEY_ID and SLIPWAY_SECRET_ACCESS_KEY, "
                    + "or give the server's --state-dir");
            return Optional.empty();
        }
        HttpResponse<String> response;
        try {
            response = new ApiClient(endpoint.resolve("/"), credentials.get(), region).post(target, body);
        } catch (java.net.ConnectException e) {
            err.println("slipway " + command + ": no Slipway server answers at " + endpoint + "; start one with 'slipway server'");
            return Optional.empty();
        }
        JsonNode json = Shapes.mapper().readTree(response.body());
        if (response.statusCode() != 200) {
            err.println("slipway " + command + ": " + json.path("__type").asText() + ": " + json.path("Message").asText());
            return Optional.empty();
        }
        return Optional.of(json);
    }
}
