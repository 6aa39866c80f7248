package dev.slipway.server.api;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/** Sends requests to a Slipway API server, signed with the AWS SDK's Signature Version 4 signer. */
public final class ApiClient {
    private final URI endpoint;
    private final ApiCredentials credentials;
    private final String region;
    private final HttpClient client = HttpClient.newHttpClient();

    public ApiClient(URI endpoint, ApiCredentials credentials, String region) {
        this.endpoint = endpoint;
        this.credentials = credentials;
        this.region = region;
    }

    /** POSTs {@code body} with {@code X-Amz-Target: target}; returns the response as it came. */
    public HttpResponse<String> post(String target, String body) throws IOException, InterruptedException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
        sign(target, bytes).forEachHeader((name, values) -> {
            if (!name.equalsIgnoreCase("host")) { // HttpClient sets the same Host itself
                values.forEach(v -> b.header(name, v));
            }
        });
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The request {@link #post} sends, signed (SigV4), with every header it carries, Host included. */
    public SdkHttpRequest sign(String target, byte[] body) {
        SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(endpoint)
                .putHeader("Content-Type", "application/x-amz-json-1.0").putHeader("X-Amz-Target", target).build();
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsCredentialsIdentity.create(credentials.accessKeyId(), credentials.secretAccessKey()))
                .request(request).payload(ContentStreamProvider.fromByteArray(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, SigV4Verifier.SERVICE)
                .putProperty(AwsV4HttpSigner.REGION_NAME, region));
        return signed.request();
    }
}
