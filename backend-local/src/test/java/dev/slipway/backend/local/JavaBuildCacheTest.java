package dev.slipway.backend.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.slipway.core.Slipway;
import dev.slipway.core.api.CreateServiceRequest;
import dev.slipway.core.api.CreateServiceResponse;
import dev.slipway.core.api.DeleteServiceRequest;
import dev.slipway.core.api.StartDeploymentRequest;
import dev.slipway.core.model.CodeRepository;
import dev.slipway.core.model.SourceCodeVersion;
import dev.slipway.core.model.SourceConfiguration;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Maven web app under a control plane that runs as root (builds and instances as {@code slipway-app}, whose
 * account has no home): Maven finds a home of the service's own, downloads what it needs from a repository (a
 * mirror served here from this machine's Maven repository, as there is no network), and the second deployment of the
 * unchanged project downloads nothing, because the service's home keeps Maven's repository between deployments. The
 * home goes with the service.
 */
class JavaBuildCacheTest {
    /** Guava as this build uses it (set by the parent pom): in the local repository for certain. */
    private static final String GUAVA = System.getProperty("slipway.test.guava", "33.8.0-jre");

    @TempDir
    Path tmp;

    @Test
    void aMavenAppBuildsAsTheAppsAccountAndItsSecondDeploymentDownloadsNothing() throws Exception {
        assertThat(RunAs.jvmIsRoot()).as("these tests run as root, as CI does").isTrue();
        AtomicInteger downloads = new AtomicInteger();
        HttpServer mirror = mirror(Path.of(System.getProperty("user.home"), ".m2", "repository"), downloads);
        try {
            Path app = writeMavenApp(tmp.resolve("app"), mirror.getAddress().getPort());
            try (Slipway slipway = Slipway.builder().routerPort(-1).stateDir(tmp.resolve("state"))
                    .backendSetting("local.run-as", RunAs.DEFAULT_USER).build()) {
                CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder().serviceName("maven-app")
                        .sourceConfiguration(SourceConfiguration.of(new CodeRepository(app.toString(), SourceCodeVersion.branch("main"),
                                null, null))).build());
                created.operation().awaitSuccess(Duration.ofMinutes(4));
                int first = downloads.get();
                List<String> log = slipway.logLines("maven-app", "deployment/" + created.operationId());
                assertThat(log).as("the first deployment's log").noneMatch(l -> l.contains("/nonexistent")).anyMatch(l -> l.contains("BUILD SUCCESS"));
                assertThat(first).as("artifacts downloaded by the first deployment").isPositive();
                assertThat(answer(slipway)).isEqualTo("hello from maven");

                String arn = created.service().serviceArn();
                slipway.startDeployment(new StartDeploymentRequest(arn)).operation().awaitSuccess(Duration.ofMinutes(4));
                assertThat(downloads.get()).as("artifacts downloaded by the second deployment of the unchanged project")
                        .isEqualTo(first);
                assertThat(answer(slipway)).isEqualTo("hello from maven");

                String serviceId = arn.substring(arn.lastIndexOf('/') + 1);
                slipway.deleteService(new DeleteServiceRequest(arn)).operation().awaitSuccess(Duration.ofMinutes(1));
                try (var homes = Files.walk(Path.of("/var/lib/slipway/apps"), 3)) {
                    assertThat(homes.filter(p -> p.getFileName().toString().equals(serviceId))).as("the service's home and revisions go with it").isEmpty();
                }
            }
        } finally {
            mirror.stop(0);
        }
    }

    /** What the service's instance answers (straight to it: this module has no router). */
    private static String answer(Slipway slipway) throws Exception {
        var endpoint = slipway.routes().routes().values().iterator().next().endpoints().get(0);
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + endpoint.port() + "/")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    /** A Maven repository over HTTP, served from {@code repository}; counts the artifacts (POMs and jars) it serves. */
    private static HttpServer mirror(Path repository, AtomicInteger downloads) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            Path file = repository.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
            if (!file.startsWith(repository) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            if (file.toString().endsWith(".jar") || file.toString().endsWith(".pom")) {
                downloads.incrementAndGet();
            }
            exchange.sendResponseHeaders(200, Files.size(file));
            try (OutputStream out = exchange.getResponseBody()) {
                Files.copy(file, out);
            }
        });
        server.start();
        return server;
    }

    /** A web app on the JDK's HTTP server that uses Guava, built with {@code mvn compile} from the mirror. */
    private static Path writeMavenApp(Path dir, int mirrorPort) throws IOException {
        Files.createDirectories(dir.resolve("src/main/java/demo"));
        Files.writeString(dir.resolve("pom.xml"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>demo</groupId><artifactId>app</artifactId><version>1</version>
                  <properties><maven.compiler.release>17</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding></properties>
                  <dependencies>
                    <dependency><groupId>com.google.guava</groupId><artifactId>guava</artifactId><version>%s</version></dependency>
                  </dependencies>
                  <build><plugins>
                    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId><version>3.14.0</version></plugin>
                  </plugins></build>
                </project>
                """.formatted(GUAVA));
        Files.writeString(dir.resolve("settings.xml"), """
                <settings><mirrors><mirror><id>here</id><mirrorOf>*</mirrorOf><url>http://127.0.0.1:%d/</url></mirror></mirrors></settings>
                """.formatted(mirrorPort));
        Files.writeString(dir.resolve("src/main/java/demo/App.java"), """
                package demo;

                import com.google.common.base.Strings;
                import com.sun.net.httpserver.HttpServer;
                import java.net.InetSocketAddress;

                public class App {
                    public static void main(String[] args) throws Exception {
                        HttpServer server = HttpServer.create(new InetSocketAddress(Integer.parseInt(System.getenv("PORT"))), 0);
                        byte[] body = ("hello from " + Strings.nullToEmpty("maven")).getBytes();
                        server.createContext("/", e -> { e.sendResponseHeaders(200, body.length); e.getResponseBody().write(body); e.close(); });
                        server.start();
                    }
                }
                """);
        String guavaJar = "$HOME/.m2/repository/com/google/guava/guava/" + GUAVA + "/guava-" + GUAVA + ".jar";
        Files.writeString(dir.resolve("apprunner.yaml"), """
                version: 1.0
                runtime: corretto11
                build:
                  commands:
                    build:
                      - mvn -B -s settings.xml compile
                run:
                  command: java -cp target/classes:%s demo.App
                """.formatted(guavaJar));
        return dir;
    }
}
