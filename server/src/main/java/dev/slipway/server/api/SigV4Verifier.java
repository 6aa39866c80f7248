package dev.slipway.server.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.internal.signer.CredentialScope;
import software.amazon.awssdk.http.auth.aws.internal.signer.V4CanonicalRequest;
import software.amazon.awssdk.http.auth.aws.internal.signer.util.SignerUtils;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.utils.BinaryUtils;

/**
 * Verifies AWS Signature Version 4 on API requests. It does not implement the algorithm: the AWS SDK's http-auth-aws
 * builds the canonical request of the signed headers and body and derives the signing key, and the signatures are
 * compared in constant time. The signature must cover the headers that say what the request does ({@code host},
 * {@code x-amz-target}, and {@code x-amz-date} or {@code date}), and be scoped to this server's region and service.
 * Errors are the ones AWS answers with, and never reveal the secret.
 */
final class SigV4Verifier {
    static final String SERVICE = "apprunner";
    /** What every App Runner request must sign besides its date: where it goes and which action it is. */
    static final Set<String> API_SIGNED_HEADERS = Set.of("host", "x-amz-target");
    private static final Duration MAX_SKEW = Duration.ofMinutes(15);
    private static final Pattern AUTHORIZATION = Pattern.compile(
            "AWS4-HMAC-SHA256\\s+Credential=([^/,\\s]+)/(\\d{8})/([^/,\\s]+)/([^/,\\s]+)/aws4_request,\\s*"
                    + "SignedHeaders=([^,\\s]+),\\s*Signature=([0-9a-f]{64})");
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    /** The secret of an access key id (and the request's headers: a session token), if it is known. */
    private final java.util.function.BiFunction<String, Map<String, String>, java.util.Optional<String>> secrets;
    private final Clock clock;
    private final String region;
    private final String service;
    private final Set<String> mustSign;

    /** A verifier for App Runner requests to a server in {@code region}. */
    SigV4Verifier(Supplier<ApiCredentials> credentials, Clock clock, String region) {
        this(credentials, clock, region, SERVICE, API_SIGNED_HEADERS);
    }

    SigV4Verifier(Supplier<ApiCredentials> credentials, Clock clock, String region, String service, Set<String> mustSign) {
        this((id, headers) -> java.util.Optional.of(credentials.get()).filter(c -> c.accessKeyId().equals(id))
                .map(ApiCredentials::secretAccessKey), clock, region, service, mustSign);
    }

    /** A verifier of App Runner requests signed with any key {@code secrets} knows. */
    SigV4Verifier(java.util.function.BiFunction<String, Map<String, String>, java.util.Optional<String>> secrets, Clock clock,
                  String region) {
        this(secrets, clock, region, SERVICE, API_SIGNED_HEADERS);
    }

    /** A verifier of requests to another AWS service ({@code secretsmanager}, {@code ssm}) on the same port. */
    static SigV4Verifier forService(java.util.function.BiFunction<String, Map<String, String>, java.util.Optional<String>> secrets,
                                    Clock clock, String region, String service) {
        return new SigV4Verifier(secrets, clock, region, service, Set.of("host", "x-amz-target"));
    }

    private SigV4Verifier(java.util.function.BiFunction<String, Map<String, String>, java.util.Optional<String>> secrets, Clock clock, String region,
                          String service, Set<String> mustSign) {
        this.secrets = secrets;
        this.clock = clock;
        this.region = region;
        this.service = service;
        this.mustSign = mustSign;
    }

    /** Header names in lower case to their values, repeated headers joined with commas, as SigV4 canonicalizes them. */
    static Map<String, String> headerMap(Iterable<Map.Entry<String, String>> headers) {
        Map<String, String> map = new LinkedHashMap<>();
        headers.forEach(h -> map.merge(h.getKey().toLowerCase(Locale.ROOT), h.getValue(), (a, b) -> a + "," + b));
        return map;
    }

    /**
     * @param target  the request target as received (path and query)
     * @param headers from {@link #headerMap}
     * @return the access key id the request was signed with
     */
    String verify(String method, String target, Map<String, String> headers, byte[] body) {
        String authorization = headers.get("authorization");
        if (authorization == null || authorization.isBlank()) {
            throw new ApiException("MissingAuthenticationTokenException", 400, "Missing Authentication Token: sign the "
                    + "request with AWS Signature Version 4 (the AWS CLI and SDKs do this with the server's access key)");
        }
        Matcher m = AUTHORIZATION.matcher(authorization.trim());
        if (!m.matches()) {
            throw new ApiException("IncompleteSignatureException", 400, "Authorization header is not a valid AWS "
                    + "Signature Version 4 header (AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...)");
        }
        String keyId = m.group(1);
        List<String> signedHeaders = List.of(m.group(5).split(";"));
        java.util.Optional<String> secret = secrets.apply(keyId, headers);
        if (secret.isEmpty()) {
            throw new ApiException("UnrecognizedClientException", 403, "The security token included in the request is "
                    + "invalid: access key " + keyId + " is not known to this Slipway server");
        }
        if (!service.equals(m.group(4))) {
            throw new ApiException("InvalidSignatureException", 403, "Credential should be scoped to correct service: '"
                    + service + "', not '" + m.group(4) + "'");
        }
        if (!region.equals(m.group(3))) {
            throw new ApiException("InvalidSignatureException", 403, "Credential should be scoped to a valid region: this "
                    + "server is '" + region + "', not '" + m.group(3) + "'; set the client's region (aws --region "
                    + region + ")");
        }
        String dateHeader = signedHeaders.contains("x-amz-date") ? "x-amz-date" : signedHeaders.contains("date") ? "date" : null;
        List<String> missing = mustSign.stream().filter(h -> !signedHeaders.contains(h)).sorted().toList();
        if (dateHeader == null || !missing.isEmpty()) {
            throw new ApiException("IncompleteSignatureException", 400, "The signature must cover the headers "
                    + String.join(", ", mustSign.stream().sorted().toList()) + " and x-amz-date (or date); SignedHeaders is "
                    + m.group(5));
        }
        Instant signedAt = signedAt(dateHeader, headers.get(dateHeader));
        Instant now = clock.instant();
        if (Duration.between(signedAt, now).abs().compareTo(MAX_SKEW) > 0) {
            throw new ApiException("InvalidSignatureException", 403, "Signature expired: " + AMZ_DATE.format(signedAt)
                    + " is more than 15 minutes " + (signedAt.isBefore(now) ? "before" : "after") + " the server's time "
                    + AMZ_DATE.format(now) + "; check the client's clock and send the request again");
        }
        if (!m.group(2).equals(AMZ_DATE.format(signedAt).substring(0, 8))) {
            throw new ApiException("InvalidSignatureException", 403, "The credential scope date " + m.group(2)
                    + " does not match the request's date " + AMZ_DATE.format(signedAt));
        }
        SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method))
                .protocol("http").host("localhost");
        int q = target.indexOf('?');
        request.encodedPath(q < 0 ? target : target.substring(0, q));
        if (q >= 0) {
            query(target.substring(q + 1), request);
        }
        for (String name : signedHeaders) {
            String value = headers.get(name);
            if (value == null) {
                throw new ApiException("IncompleteSignatureException", 400, "Signed header '" + name + "' is missing from the request");
            }
            request.putHeader(name, value);
        }
        // The SDK's public AwsV4HttpSigner always adds and signs x-amz-content-sha256, which the AWS CLI (botocore)
        // never sends; so the same library's canonical request and key derivation are used without that step.
        V4CanonicalRequest canonical;
        try {
            canonical = new V4CanonicalRequest(request.build(), BinaryUtils.toHex(SignerUtils.hash(body)),
                    new V4CanonicalRequest.Options(true, true));
            canonical.getCanonicalRequestString();
        } catch (IllegalArgumentException e) {
            throw new ApiException("InvalidQueryParameter", 400, "The request target is not a valid URI path and query; "
                    + "percent-encode it");
        }
        CredentialScope scope = new CredentialScope(m.group(3), service, signedAt);
        String stringToSign = "AWS4-HMAC-SHA256\n" + scope.getDatetime() + "\n" + scope.scope() + "\n"
                + SignerUtils.hashCanonicalRequest(canonical.getCanonicalRequestString());
        byte[] key = SignerUtils.deriveSigningKey(
                AwsCredentialsIdentity.create(keyId, secret.get()), scope);
        String expected = BinaryUtils.toHex(SignerUtils.computeSignature(stringToSign, key));
        if (!canonical.getSignedHeadersString().equals(m.group(5))
                || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), m.group(6).getBytes(StandardCharsets.US_ASCII))) {
            throw new ApiException("InvalidSignatureException", 403, "The request signature we calculated does not match "
                    + "the signature you provided. Check your AWS Secret Access Key and signing method.");
        }
        return keyId;
    }

    private static Instant signedAt(String header, String value) {
        if (value == null) {
            throw new ApiException("IncompleteSignatureException", 400, "Signed header '" + header + "' is missing from the request");
        }
        try {
            return header.equals("x-amz-date") ? Instant.from(AMZ_DATE.parse(value))
                    : Instant.from(DateTimeFormatter.RFC_1123_DATE_TIME.parse(value));
        } catch (DateTimeParseException e) {
            throw new ApiException("IncompleteSignatureException", 400, header + " '" + value + "' is not a date in the form "
                    + (header.equals("x-amz-date") ? "yyyyMMddTHHmmssZ" : "of RFC 1123 (Sun, 30 Aug 2015 12:36:00 GMT)"));
        }
    }

    /** Adds the query's parameters, decoded (the SDK encodes them canonically again). */
    private static void query(String query, SdkHttpRequest.Builder request) {
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                request.appendRawQueryParameter(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? null : decode(pair.substring(eq + 1)));
            } catch (IllegalArgumentException e) {
                throw new ApiException("InvalidQueryParameter", 400, "The query string is not validly percent-encoded: '"
                        + pair + "'");
            }
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
