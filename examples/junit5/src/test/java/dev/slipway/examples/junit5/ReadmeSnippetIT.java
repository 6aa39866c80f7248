package dev.slipway.examples.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's JUnit 5 instructions work as pasted: its pom fragment, in a new project's pom.xml with nothing else,
 * and its test class, run with plain {@code mvn verify}: both tests run and pass. Where the README has the reader run
 * {@code mvn install} first, the Slipway artifacts this build made (the jars in the modules' target directories) are
 * offered to the new project from a file repository instead, named in a settings file.
 */
class ReadmeSnippetIT {
    private static final Path ROOT = Path.of("../..");

    @TempDir
    Path project;

    @Test
    void theReadmesPomFragmentAndTestRunWithPlainMavenVerify() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"));
        Matcher pom = Pattern.compile("<!-- pom-snippet -->\\n```xml\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertThat(pom.find()).as("README.md's pom fragment").isTrue();
        Files.writeString(project.resolve("pom.xml"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>com.example</groupId><artifactId>my-app-tests</artifactId><version>1</version>
                  <properties><project.build.sourceEncoding>UTF-8</project.build.sourceEncoding></properties>
                %s</project>
                """.formatted(pom.group(1)));
        Matcher test = Pattern.compile("<!-- snippet: examples/junit5/src/test/java/dev/slipway/examples/junit5/SampleAppsTest.java -->"
                + "\\n```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertThat(test.find()).as("README.md's test class").isTrue();
        Path sources = Files.createDirectories(project.resolve("src/test/java"));
        Path examples = ROOT.resolve("examples").toAbsolutePath().normalize();
        Files.writeString(sources.resolve("SampleAppsTest.java"), test.group(1)
                .replace("\"../python-hello\"", "\"" + examples.resolve("python-hello") + "\"")
                .replace("\"../node-hello\"", "\"" + examples.resolve("node-hello") + "\""));

        Path repository = project.resolve("slipway-artifacts");
        publish(repository, "slipway-parent", ROOT.resolve("pom.xml"), null);
        publish(repository, "slipway-bom", ROOT.resolve("bom/pom.xml"), null);
        for (String module : new String[] {"core", "backend-local", "router-netty", "junit5"}) {
            publish(repository, "slipway-" + module, ROOT.resolve(module).resolve("pom.xml"),
                    ROOT.resolve(module).resolve("target/slipway-" + module + "-0.1.0-SNAPSHOT.jar"));
        }
        Files.writeString(project.resolve("settings.xml"), """
                <settings><profiles><profile><id>slipway</id><repositories><repository><id>slipway-build</id><url>%s</url>
                  <snapshots><enabled>true</enabled></snapshots></repository></repositories></profile></profiles>
                  <activeProfiles><activeProfile>slipway</activeProfile></activeProfiles></settings>
                """.formatted(repository.toUri()));

        Path log = project.resolve("mvn.log");
        Process mvn = new ProcessBuilder("mvn", "-B", "-s", "settings.xml", "verify").directory(project.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(mvn.waitFor(4, TimeUnit.MINUTES)).as("mvn verify ended").isTrue();
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(mvn.exitValue()).as("mvn verify of the README's project:\n%s", output).isZero();
        assertThat(output).contains("Tests run: 2, Failures: 0, Errors: 0, Skipped: 0");
    }

    /** Puts a module's POM (and jar) where a Maven repository has them. */
    private static void publish(Path repository, String artifactId, Path pom, Path jar) throws java.io.IOException {
        Path dir = Files.createDirectories(repository.resolve("dev/slipway").resolve(artifactId).resolve("0.1.0-SNAPSHOT"));
        Files.copy(pom, dir.resolve(artifactId + "-0.1.0-SNAPSHOT.pom"));
        if (jar != null) {
            Files.copy(jar, dir.resolve(artifactId + "-0.1.0-SNAPSHOT.jar"));
        }
    }
}
