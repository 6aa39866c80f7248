package dev.slipway.core.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.core.build.BuildPlan;
import dev.slipway.core.model.Runtime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** apprunner.yaml as the guide's configuration file reference defines it. */
class AppRunnerYamlTest {
    @Test
    void theGuidesFullExampleParsesIntoEveryKey() {
        BuildPlan plan = AppRunnerYaml.parse("""
                version: 1.0
                runtime: python3
                build:
                  commands:
                    pre-build:
                      - wget -c https://example.com/test-lib.tar.gz -O - | tar -xz
                    build:
                      - pip install pipenv
                      - pipenv install
                    post-build:
                      - python manage.py test
                  env:
                    - name: DJANGO_SETTINGS_MODULE
                      value: "django_apprunner.settings"
                    - name: MY_VAR_EXAMPLE
                      value: "example"
                run:
                  runtime-version: 3.7.7
                  command: pipenv run gunicorn django_apprunner.wsgi --log-file -
                  network:
                    port: 8000
                    env: MY_APP_PORT
                  env:
                    - name: MY_VAR_EXAMPLE
                      value: "example"
                """);
        assertThat(plan.runtime()).isEqualTo(Runtime.PYTHON_3);
        assertThat(plan.preBuildCommands()).containsExactly("wget -c https://example.com/test-lib.tar.gz -O - | tar -xz");
        assertThat(plan.buildCommands()).containsExactly("pip install pipenv", "pipenv install");
        assertThat(plan.postBuildCommands()).containsExactly("python manage.py test");
        assertThat(plan.buildEnv()).containsExactly(Map.entry("DJANGO_SETTINGS_MODULE", "django_apprunner.settings"),
                Map.entry("MY_VAR_EXAMPLE", "example"));
        assertThat(plan.runtimeVersion()).contains("3.7.7");
        assertThat(plan.startCommand()).isEqualTo("pipenv run gunicorn django_apprunner.wsgi --log-file -");
        assertThat(plan.port()).isEqualTo(8000);
        assertThat(plan.portEnv()).contains("MY_APP_PORT");
        assertThat(plan.runEnv()).containsExactly(Map.entry("MY_VAR_EXAMPLE", "example"));
        assertThat(plan.allBuildCommands()).hasSize(4);
    }

    @Test
    void runPreRunCommandsComeAfterTheBuild() {
        BuildPlan plan = AppRunnerYaml.parse("""
                version: 1.0
                runtime: python311
                build:
                  commands:
                    build:
                      - pip install -r requirements.txt
                run:
                  pre-run:
                    - echo prepare
                    - touch ready
                  command: python app.py
                """);
        assertThat(plan.preRunCommands()).containsExactly("echo prepare", "touch ready");
        assertThat(plan.allBuildCommands()).containsExactly("pip install -r requirements.txt", "echo prepare", "touch ready");
        assertThat(plan.phases()).extracting(Map.Entry::getKey).containsExactly("build", "pre-run", "pre-run");
    }

    @Test
    void runSecretsAreReferencesToTheSecretStoreCheckedWithTheLine() {
        String file = """
                version: 1.0
                runtime: python3
                run:
                  command: python app.py
                  secrets:
                    - name: DB_PASSWORD
                      value-from: "%s"
                """;
        assertThat(AppRunnerYaml.parse(file.formatted("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf")).runSecrets())
                .containsExactly(Map.entry("DB_PASSWORD", "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"));
        assertThat(AppRunnerYaml.parse(file.formatted("arn:aws:ssm:us-east-1:123456789012:parameter/db/password")).runSecrets())
                .containsEntry("DB_PASSWORD", "arn:aws:ssm:us-east-1:123456789012:parameter/db/password");
        assertThatThrownBy(() -> AppRunnerYaml.parse(file.formatted("hunter2")))
                .hasMessageStartingWith("apprunner.yaml line 7: 'run.secrets' entry DB_PASSWORD: 'value-from' must be the ARN");
        assertThatThrownBy(() -> AppRunnerYaml.parse(file.replace("value-from", "value").formatted("x")))
                .hasMessageContaining("unknown key 'value' in an entry of 'run.secrets'; allowed keys: name, value-from");
        assertThatThrownBy(() -> AppRunnerYaml.parse("version: 1.0\nruntime: python3\nrun:\n  command: x\n  secrets: DB\n"))
                .hasMessageStartingWith("apprunner.yaml line 5: 'run.secrets' must be a list");
    }

    @Test
    void theMinimalFileTakesTheDefaults() {
        BuildPlan plan = AppRunnerYaml.parse("version: 1.0\nruntime: nodejs18\nrun:\n  command: node app.js\n");
        assertThat(plan.runtime()).isEqualTo(Runtime.NODEJS_18);
        assertThat(plan.allBuildCommands()).isEmpty();
        assertThat(plan.port()).isEqualTo(8080);
        assertThat(plan.portEnv()).isEmpty();
        assertThat(plan.runEnv()).isEmpty();
        assertThat(plan.http2()).isFalse();
    }

    @Test
    void slipwaysOwnKeySaysTheAppSpeaksHttp2AndIsCheckedLikeTheRest() {
        String base = "version: 1.0\nruntime: python3\nrun:\n  command: x\n";
        assertThat(AppRunnerYaml.parse(base + "slipway:\n  http2: true\n").http2()).isTrue();
        assertThat(AppRunnerYaml.parse(base + "slipway:\n  http2: False\n").http2()).isFalse();
        assertThat(AppRunnerYaml.parse(base + "slipway:\n  http2:\n").http2()).as("blank: the default").isFalse();
        assertThatThrownBy(() -> AppRunnerYaml.parse(base + "slipway:\n  http2: yes please\n"))
                .hasMessageStartingWith("apprunner.yaml line 6: 'slipway.http2' must be true or false, not 'yes please'");
        assertThatThrownBy(() -> AppRunnerYaml.parse(base + "slipway:\n  grpc: true\n"))
                .hasMessageStartingWith("apprunner.yaml line 6: unknown key 'grpc' in 'slipway'; allowed keys: http2");
        assertThatThrownBy(() -> AppRunnerYaml.parse(base + "slipway: true\n"))
                .hasMessageStartingWith("apprunner.yaml line 5: 'slipway' must be a mapping");
    }

    @Test
    void errorsNameTheLineAndTheRule() {
        assertThatThrownBy(() -> AppRunnerYaml.parse("version: 1.0\nruntime: cobol9\nrun:\n  command: x\n"))
                .hasMessageStartingWith("apprunner.yaml line 2: unknown runtime 'cobol9'").hasMessageContaining("python3");
        assertThatThrownBy(() -> AppRunnerYaml.parse("version: 1.0\nruntime: python3\nrun:\n  network:\n    port: 80800\n  command: x\n"))
                .hasMessageStartingWith("apprunner.yaml line 5: 'run.network.port' must be a port number");
        assertThatThrownBy(() -> AppRunnerYaml.parse("version: 1.0\nruntime: python3\nbuild:\n  commands:\n    pre-build:\n      - a\nrun:\n  command: x\n"))
                .hasMessageStartingWith("apprunner.yaml line 4: 'build.commands.build' is required");
        assertThatThrownBy(() -> AppRunnerYaml.parse("version: 1.0\nruntime: python3\nrun:\n  comand: x\n"))
                .hasMessageStartingWith("apprunner.yaml line 4: unknown key 'comand' in 'run'");
        assertThatThrownBy(() -> AppRunnerYaml.parse("version: 1.0\nruntime: python3\nrun:\n  env: [a\n"))
                .hasMessageStartingWith("apprunner.yaml line").hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> AppRunnerYaml.parse("version: 2.0\nruntime: python3\nrun:\n  command: x\n"))
                .hasMessageStartingWith("apprunner.yaml line 1: 'version' must be 1.0");
        assertThatThrownBy(() -> AppRunnerYaml.parse("version: 1.0\nruntime: python3\n"))
                .hasMessageContaining("'run' is required");
        assertThatThrownBy(() -> AppRunnerYaml.parse("version: 1.0\nruntime: python3\nrun:\n  runtime-version: latest\n  command: x\n"))
                .hasMessageStartingWith("apprunner.yaml line 4: 'run.runtime-version' must be major[.minor[.patch]]");
    }

    @Test
    void everyRuntimeHasItsConfigName() {
        for (Runtime r : Runtime.values()) {
            assertThat(Runtime.fromConfigName(r.configName())).contains(r);
        }
        assertThat(List.of(Runtime.PYTHON_311.configName(), Runtime.NODEJS_22.configName())).containsExactly("python311", "nodejs22");
    }

    @Test
    void environmentNamesWithEqualsAndValuesWithNulAreRefusedWithoutTheValue() {
        String base = """
                version: 1.0
                runtime: python3
                run:
                  command: python app.py
                  env:
                """;
        assertThatThrownBy(() -> AppRunnerYaml.parse(base + "    - name: TOKEN=hunter2\n      value: x\n"))
                .isInstanceOf(ConfigurationFileException.class).hasMessageContaining("line 6").hasMessageContaining("'='")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> AppRunnerYaml.parse(base + "    - name: TOKEN\n      value: \"hunter\\0two\"\n"))
                .isInstanceOf(ConfigurationFileException.class).hasMessageContaining("NUL").hasMessageNotContaining("hunter");
    }
}
