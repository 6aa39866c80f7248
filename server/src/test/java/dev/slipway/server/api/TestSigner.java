package dev.slipway.server.api;

import java.net.URI;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/** Signs requests as an AWS SDK does, with the SDK's own SigV4 signer, for service apprunner. */
final class TestSigner {
    private TestSigner() {
    }

    /** The headers (names in lower case, as {@link SigV4Verifier#headerMap}) of a signed {@code POST /} to {@code endpoint}. */
    static Map<String, String> sign(ApiCredentials credentials, String region, URI endpoint, Map<String, String> headers, byte[] body) {
        SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(endpoint)
                .putHeader("Content-Type", "application/x-amz-json-1.0");
        headers.forEach(request::putHeader);
        SdkHttpRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsCredentialsIdentity.create(credentials.accessKeyId(), credentials.secretAccessKey()))
                .request(request.build()).payload(ContentStreamProvider.fromByteArray(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "apprunner")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)).request();
        List<Map.Entry<String, String>> all = new ArrayList<>();
        signed.forEachHeader((name, values) -> values.forEach(v -> all.add(new AbstractMap.SimpleEntry<>(name, v))));
        if (signed.firstMatchingHeader("Host").isEmpty()) {
            all.add(new AbstractMap.SimpleEntry<>("Host", endpoint.getAuthority()));
        }
        return SigV4Verifier.headerMap(all);
    }
}
