package dev.slipway.core.source;

import dev.slipway.core.spi.RegistryLogin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the control plane asks a container registry itself (Distribution API v2), without a Docker engine: the digest
 * a tag points to now (so that every pod of a revision runs the same image, a re-pushed tag is a new revision, and a
 * new digest of an automatically deployed tag is seen), whether an image still exists, and deleting a built image. Basic logins and bearer tokens (Docker Hub's flow) are
 * both understood; registries on 127.0.0.0/8 and localhost are spoken to over plain HTTP, as Docker does.
 */
public final class Registries {
    /** The backend settings that replace a registry: {@code docker.registry-map.<registry>=<other>}. */
    public static final String MAP_PREFIX = "docker.registry-map.";
    private static final String ACCEPT = String.join(", ", "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json");
    private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** An image reference split into its registry, repository and tag or digest. */
    public record Ref(String registry, String repository, String reference) {
        public static Ref parse(String image) {
            String name = image;
            String reference = "latest";
            int at = name.indexOf('@');
            if (at >= 0) {
                reference = name.substring(at + 1);
                name = name.substring(0, at);
            } else {
                int colon = name.lastIndexOf(':');
                if (colon > name.lastIndexOf('/')) {
                    reference = name.substring(colon + 1);
                    name = name.substring(0, colon);
                }
            }
            int slash = name.indexOf('/');
            String first = slash < 0 ? "" : name.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                return new Ref(first, name.substring(slash + 1), reference);
            }
            return new Ref("docker.io", name.contains("/") ? name : "library/" + name, reference);
        }

        /** Where the registry's API answers. */
        public String base() {
            String host = registry.equals("docker.io") ? "registry-1.docker.io" : registry;
            boolean local = host.startsWith("127.") || host.startsWith("localhost") || host.startsWith("[::1]");
            return (local ? "http://" : "https://") + host;
        }

        /** The image reference of the same repository at {@code digest} ({@code sha256:...}). */
        public String withReference(String digest) {
            return name() + "@" + digest;
        }

        /** The repository as image references name it, e.g. {@code 127.0.0.1:5000/team/app}. */
        public String name() {
            return registry.equals("docker.io") ? repository : registry + "/" + repository;
        }
    }

    /**
     * {@code identifier} with its registry replaced as a setting {@code docker.registry-map.<registry>=<other>} of
     * {@code settings} says (App Runner's ECR names served by a registry of one's own), or as it is.
     */
    public static String mapped(String identifier, Map<String, String> settings) {
        for (Map.Entry<String, String> e : settings.entrySet()) {
            if (e.getKey().startsWith(MAP_PREFIX) && identifier.startsWith(e.getKey().substring(MAP_PREFIX.length()) + "/")) {
                return e.getValue() + identifier.substring(e.getKey().length() - MAP_PREFIX.length());
            }
        }
        return identifier;
    }

    /** The digest {@code image}'s tag points to now. */
    public String digest(String image, Optional<RegistryLogin> login) throws IOException {
        Ref ref = Ref.parse(image);
        HttpResponse<Void> r = send(ref, "HEAD", ref.reference(), login);
        if (r.statusCode() != 200) {
            throw new IOException(ref.name() + ":" + ref.reference() + " answered HTTP " + r.statusCode()
                    + (r.statusCode() == 404 ? " (no such image or tag)" : r.statusCode() == 401 ? " (a login is needed)" : ""));
        }
        return r.headers().firstValue("Docker-Content-Digest")
                .orElseThrow(() -> new IOException(ref.registry() + " gave no Docker-Content-Digest for " + image));
    }

    /** Whether the registry still has {@code image}. */
    public boolean exists(String image, Optional<RegistryLogin> login) throws IOException {
        Ref ref = Ref.parse(image);
        return send(ref, "HEAD", ref.reference(), login).statusCode() == 200;
    }

    /** Deletes {@code image} (by digest); false when the registry does not allow deletes. */
    public boolean delete(String image, Optional<RegistryLogin> login) throws IOException {
        Ref ref = Ref.parse(image);
        int status = send(ref, "DELETE", ref.reference(), login).statusCode();
        return status == 202 || status == 200 || status == 404;
    }

    private HttpResponse<Void> send(Ref ref, String method, String reference, Optional<RegistryLogin> login) throws IOException {
        URI uri = URI.create(ref.base() + "/v2/" + ref.repository() + "/manifests/" + reference);
        HttpResponse<Void> r = send(uri, method, login.map(Registries::basic));
        String challenge = r.headers().firstValue("WWW-Authenticate").orElse("");
        if (r.statusCode() == 401 && challenge.regionMatches(true, 0, "Bearer ", 0, 7)) {
            r = send(uri, method, Optional.of("Bearer " + token(challenge, ref, login)));
        }
        return r;
    }

    private HttpResponse<Void> send(URI uri, String method, Optional<String> authorization) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Accept", ACCEPT)
                .method(method, HttpRequest.BodyPublishers.noBody());
        authorization.ifPresent(a -> request.header("Authorization", a));
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.discarding());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking " + uri.getHost(), e);
        }
    }

    /** A bearer token from the realm a registry's challenge names (anonymous, or with the login). */
    private String token(String challenge, Ref ref, Optional<RegistryLogin> login) throws IOException {
        Map<String, String> params = new LinkedHashMap<>();
        Matcher m = PARAM.matcher(challenge);
        while (m.find()) {
            params.put(m.group(1), m.group(2));
        }
        String realm = params.remove("realm");
        if (realm == null) {
            throw new IOException(ref.registry() + " asked for a bearer token without naming its realm");
        }
        params.putIfAbsent("scope", "repository:" + ref.repository() + ":pull");
        StringBuilder query = new StringBuilder();
        params.forEach((k, v) -> query.append(query.isEmpty() ? "?" : "&").append(k).append('=')
                .append(java.net.URLEncoder.encode(v, StandardCharsets.UTF_8)));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(realm + query)).timeout(Duration.ofSeconds(30));
        login.ifPresent(l -> request.header("Authorization", basic(l)));
        try {
            var json = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(http.send(request.build(), HttpResponse.BodyHandlers.ofString()).body());
            String token = json == null ? null : json.path("token").asText(json.path("access_token").asText(null));
            if (token == null) {
                throw new IOException(ref.registry() + "'s token service gave no token");
            }
            return token;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking " + realm, e);
        }
    }

    private static String basic(RegistryLogin login) {
        return "Basic " + Base64.getEncoder().encodeToString((login.username() + ":" + login.password()).getBytes(StandardCharsets.UTF_8));
    }
}
