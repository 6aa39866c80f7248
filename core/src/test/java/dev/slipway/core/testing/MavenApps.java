package dev.slipway.core.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Maven web app that needs a dependency, and a Maven repository mirror to build it from (there is no network here):
 * the mirror serves this machine's own Maven repository and counts the artifacts it serves, so a test sees what a
 * build downloaded.
 */
public final class MavenApps {
    /** Guava as this build uses it (set by the parent pom): in the local repository for certain. */
    public static final String GUAVA = System.getProperty("slipway.test.guava", "33.8.0-jre");

    private MavenApps() {
    }

    /** A mirror of this machine's Maven repository ({@code ~/.m2/repository}), counting into {@code downloads}. */
    public static HttpServer mirror(AtomicInteger downloads) throws IOException {
        return mirror(Path.of(System.getProperty("user.home"), ".m2", "repository"), downloads);
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
    public static Path writeMavenApp(Path dir, int mirrorPort) throws IOException {
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
