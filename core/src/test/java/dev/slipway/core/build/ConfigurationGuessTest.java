package dev.slipway.core.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.core.model.Runtime;
import dev.slipway.core.source.AppRunnerYaml;
import dev.slipway.core.source.ConfigurationFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
                .hasMessageContaining("no single Python file to start");
    }

    @Test
    void anApprunnerYmlIsPointedOut() throws IOException {
        Files.writeString(dir.resolve("apprunner.yml"), "version: 1.0\n");
        assertThatThrownBy(() -> ConfigurationGuess.of(dir)).isInstanceOf(ConfigurationFileException.class)
                .hasMessageContaining("it has apprunner.yml: App Runner reads only apprunner.yaml, so rename it");
    }
}
