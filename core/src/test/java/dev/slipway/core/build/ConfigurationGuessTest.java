package dev.slipway.core.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.core.model.Runtime;
import dev.slipway.core.source.AppRunnerYaml;
import dev.slipway.core.source.ConfigurationFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a directory without apprunner.yaml is guessed to be, and the apprunner.yaml written from the guess. */
class ConfigurationGuessTest {
    @TempDir
    Path dir;

    @Test
    void nodeProjectsRunNpmStart() throws IOException {
        Files.writeString(dir.resolve("package.json"), "{}");
        ConfigurationGuess g = ConfigurationGuess.of(dir);
        assertThat(g.values().runtime()).isEqualTo(Runtime.NODEJS_18);
        assertThat(g.describe()).isEqualTo("guessed from package.json: runtime NODEJS_18, build 'npm install', start 'npm start'");
    }

    @Test
    void theOnlyPythonFileIsTheMainOneWhateverItsName() throws IOException {
        Files.writeString(dir.resolve("requirements.txt"), "flask\n");
        Files.writeString(dir.resolve("web.py"), "print('hi')\n");
        ConfigurationGuess g = ConfigurationGuess.of(dir);
        assertThat(g.values().startCommand()).isEqualTo("python web.py");
        assertThat(g.values().buildCommand()).isEqualTo("pip install -r requirements.txt");
        assertThat(g.basis()).isEqualTo("requirements.txt and web.py");

        BuildPlan plan = AppRunnerYaml.parse(g.toYaml());
        assertThat(plan.runtime()).isEqualTo(Runtime.PYTHON_3);
        assertThat(plan.buildCommands()).containsExactly("pip install -r requirements.txt");
        assertThat(plan.startCommand()).isEqualTo("python web.py");
        assertThat(plan.port()).isEqualTo(8080);
    }

    @Test
    void amongSeveralPythonFilesTheOneWithAMainGuardStartsTheApp() throws IOException {
        Files.writeString(dir.resolve("helpers.py"), "def f(): pass\n");
        Files.writeString(dir.resolve("service.py"), "if __name__ == \"__main__\":\n    pass\n");
        assertThat(ConfigurationGuess.of(dir).values().startCommand()).isEqualTo("python service.py");
        Files.writeString(dir.resolve("other.py"), "if __name__ == '__main__':\n    pass\n");
        assertThatThrownBy(() -> ConfigurationGuess.of(dir)).isInstanceOf(ConfigurationFileException.class)
                .hasMessageContaining("single Python file").hasMessageContaining("'slipway init " + dir + "' writes a commented skeleton")
                .hasMessageContaining("'slipway help apprunner.yaml'").hasMessageNotContaining("docs/");
    }

    @Test
    void javaGoRubyAndStaticProjectsAreGuessedFromTheirFiles() throws IOException {
        Files.writeString(dir.resolve("index.html"), "<h1>hi</h1>");
        assertThat(guess()).isEqualTo("python3 | null | python3 -m http.server $PORT | index.html (a static site)");
        Files.writeString(dir.resolve("Gemfile"), "source 'https://rubygems.org'\n");
        Files.writeString(dir.resolve("config.ru"), "run ->(env) { [200, {}, ['hi']] }\n");
        assertThat(guess()).isEqualTo("ruby31 | bundle install | bundle exec rackup -o 0.0.0.0 -p $PORT | Gemfile and config.ru");
        Files.writeString(dir.resolve("go.mod"), "module demo\n");
        assertThat(guess()).isEqualTo("go1 | go build -o app . | ./app | go.mod");
        Files.writeString(dir.resolve("build.gradle.kts"), "plugins { java }\n");
        assertThat(guess()).startsWith("corretto11 | gradle build -x test | java -Dserver.port=$PORT -jar $(ls build/libs/*.jar");
        Files.writeString(dir.resolve("gradlew"), "#!/bin/sh\n");
        assertThat(guess()).startsWith("corretto11 | sh gradlew build -x test");
        Files.writeString(dir.resolve("pom.xml"), "<project/>");
        assertThat(guess()).isEqualTo("corretto11 | mvn -B -DskipTests package | java -Dserver.port=$PORT -jar $(ls target/*.jar | head -1) | pom.xml");
        Files.writeString(dir.resolve("mvnw"), "#!/bin/sh\n");
        assertThat(guess()).startsWith("corretto11 | sh mvnw -B -DskipTests package");
        Files.writeString(dir.resolve("package.json"), "{}");
        assertThat(guess()).startsWith("nodejs18 | npm install | npm start");
        for (String yaml : List.of(ConfigurationGuess.of(dir).toYaml())) {
            assertThat(dev.slipway.core.source.AppRunnerYaml.parse(yaml).runtime()).isEqualTo(dev.slipway.core.model.Runtime.NODEJS_18);
        }
    }

    @Test
    void theSkeletonParsesAndNamesEveryKey() {
        String skeleton = ConfigurationGuess.skeleton();
        assertThat(dev.slipway.core.source.AppRunnerYaml.parse(skeleton).runtime()).isEqualTo(dev.slipway.core.model.Runtime.PYTHON_3);
        assertThat(skeleton).contains("pre-build:", "post-build:", "env:", "runtime-version:", "pre-run:", "network:", "port:",
                "# one of: corretto8, corretto11");
    }

    private String guess() {
        ConfigurationGuess g = ConfigurationGuess.of(dir);
        return g.values().runtime().configName() + " | " + g.values().buildCommand() + " | " + g.values().startCommand() + " | " + g.basis();
    }

    @Test
    void anApprunnerYmlIsPointedOut() throws IOException {
        Files.writeString(dir.resolve("apprunner.yml"), "version: 1.0\n");
        assertThatThrownBy(() -> ConfigurationGuess.of(dir)).isInstanceOf(ConfigurationFileException.class)
                .hasMessageContaining("it has apprunner.yml: App Runner reads only apprunner.yaml, so rename it");
    }
}
