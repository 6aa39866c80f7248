package dev.slipway.core.build;

import dev.slipway.core.model.CodeConfigurationValues;
import dev.slipway.core.model.Runtime;
import dev.slipway.core.source.AppRunnerYaml;
import dev.slipway.core.source.ConfigurationFileException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * How to build and run a directory that has no apprunner.yaml, guessed from its files (a Slipway convenience for
 * {@code slipway up} and {@code slipway init}; App Runner itself needs the file or API values):
 * <ul>
 *   <li>{@code package.json}: nodejs18, {@code npm install}, {@code npm start};</li>
 *   <li>{@code pom.xml}: corretto11, {@code mvn -B -DskipTests package} ({@code ./mvnw} when the project has it),
 *       started with {@code java -jar} on the jar in {@code target} (with {@code -Dserver.port=$PORT}, which Spring
 *       Boot reads and other apps ignore);</li>
 *   <li>{@code build.gradle(.kts)}: corretto11, {@code gradle build -x test} ({@code ./gradlew} when present), the
 *       jar in {@code build/libs} that is not {@code -plain};</li>
 *   <li>{@code go.mod}: go1, {@code go build -o app .}, {@code ./app};</li>
 *   <li>{@code Gemfile} with {@code config.ru}: ruby31, {@code bundle install}, {@code bundle exec rackup};</li>
 *   <li>Python 3, with {@code pip install -r requirements.txt} when that file exists, started with
 *       {@code python <main>}, where main is {@code server.py}, {@code app.py} or {@code main.py} (first found), else
 *       the only {@code .py} file, else the only one with {@code if __name__ == "__main__"};</li>
 *   <li>otherwise a static site ({@code index.html}): served by Python's own static server on {@code $PORT}.</li>
 * </ul>
 *
 * @param basis the files the guess came from, for people
 */
public record ConfigurationGuess(CodeConfigurationValues values, String basis) {
    private static final List<String> PYTHON_MAINS = List.of("server.py", "app.py", "main.py");

    /** @throws ConfigurationFileException when nothing tells how to run the directory */
    public static ConfigurationGuess of(Path dir) {
        if (Files.isRegularFile(dir.resolve("package.json"))) {
            return new ConfigurationGuess(values(Runtime.NODEJS_18, "npm install", "npm start"), "package.json");
        }
        if (Files.isRegularFile(dir.resolve("pom.xml"))) {
            String mvn = Files.isRegularFile(dir.resolve("mvnw")) ? "sh mvnw" : "mvn";
            return new ConfigurationGuess(values(Runtime.CORRETTO_11, mvn + " -B -DskipTests package",
                    "java -Dserver.port=$PORT -jar $(ls target/*.jar | head -1)"), "pom.xml");
        }
        for (String gradleFile : List.of("build.gradle", "build.gradle.kts")) {
            if (Files.isRegularFile(dir.resolve(gradleFile))) {
                String gradle = Files.isRegularFile(dir.resolve("gradlew")) ? "sh gradlew" : "gradle";
                return new ConfigurationGuess(values(Runtime.CORRETTO_11, gradle + " build -x test",
                        "java -Dserver.port=$PORT -jar $(ls build/libs/*.jar | grep -v -- -plain | head -1)"), gradleFile);
            }
        }
        if (Files.isRegularFile(dir.resolve("go.mod"))) {
            return new ConfigurationGuess(values(Runtime.GO_1, "go build -o app .", "./app"), "go.mod");
        }
        if (Files.isRegularFile(dir.resolve("Gemfile")) && Files.isRegularFile(dir.resolve("config.ru"))) {
            return new ConfigurationGuess(values(Runtime.RUBY_31, "bundle install", "bundle exec rackup -o 0.0.0.0 -p $PORT"),
                    "Gemfile and config.ru");
        }
        boolean requirements = Files.isRegularFile(dir.resolve("requirements.txt"));
        String main = pythonMain(dir);
        if (main == null && Files.isRegularFile(dir.resolve("index.html"))) {
            return new ConfigurationGuess(values(Runtime.PYTHON_3, null, "python3 -m http.server $PORT"),
                    "index.html (a static site)");
        }
        if (main == null) {
            throw new ConfigurationFileException(dir + " has no " + AppRunnerYaml.FILE_NAME + (Files.exists(dir.resolve("apprunner.yml"))
                    ? " (it has apprunner.yml: App Runner reads only apprunner.yaml, so rename it)" : "")
                    + ", and Slipway cannot tell how to run it (no package.json, pom.xml, build.gradle, go.mod, Gemfile "
                    + "with config.ru, single Python file or index.html). Write one: 'slipway init " + dir + "' writes a "
                    + "commented skeleton to fill in, and 'slipway help apprunner.yaml' shows every key");
        }
        return new ConfigurationGuess(values(Runtime.PYTHON_3, requirements ? "pip install -r requirements.txt" : null,
                "python " + main), (requirements ? "requirements.txt and " : "") + main);
    }

    /** The guess as an apprunner.yaml, to edit. */
    public String toYaml() {
        StringBuilder y = new StringBuilder("version: 1.0\nruntime: ").append(values.runtime().configName()).append('\n');
        if (values.buildCommand() != null) {
            y.append("build:\n  commands:\n    build:\n      - ").append(values.buildCommand()).append('\n');
        }
        y.append("run:\n  command: ").append(values.startCommand()).append('\n')
                .append("  network:\n    port: ").append(values.port()).append('\n');
        return y.toString();
    }

    /**
     * An apprunner.yaml to fill in, for a directory Slipway cannot guess: every key of the file, the required ones with
     * placeholders, the others commented out, each with what it is for.
     */
    public static String skeleton() {
        return """
                # apprunner.yaml: how App Runner (and Slipway) builds and runs this directory. Fill in the two commands;
                # 'slipway help apprunner.yaml' shows every key.
                version: 1.0
                # one of: %s
                runtime: python3
                build:
                  commands:
                    # pre-build:
                    #   - echo before the build
                    build:
                      - echo replace this with your build command, e.g. pip install -r requirements.txt
                    # post-build:
                    #   - echo after the build, e.g. tests
                  # env:
                  #   - name: BUILD_SETTING
                  #     value: "value"
                run:
                  # runtime-version: 3.11
                  # pre-run:
                  #   - echo prepares what the app runs in
                  command: echo replace this with the command that starts your app on $PORT; exit 1
                  network:
                    port: 8080
                    # env: MY_APP_PORT
                  # env:
                  #   - name: SETTING
                  #     value: "value"
                """.formatted(String.join(", ", Runtime.configNamesInOrder()));
    }

    /** One line: what was guessed and from which files. */
    public String describe() {
        return "guessed from " + basis + ": runtime " + values.runtime()
                + (values.buildCommand() == null ? "" : ", build '" + values.buildCommand() + "'")
                + ", start '" + values.startCommand() + "'";
    }

    private static CodeConfigurationValues values(Runtime runtime, String build, String start) {
        return new CodeConfigurationValues(runtime, build, start, Integer.toString(BuildPlan.DEFAULT_PORT), null, null);
    }

    private static String pythonMain(Path dir) {
        for (String candidate : PYTHON_MAINS) {
            if (Files.isRegularFile(dir.resolve(candidate))) {
                return candidate;
            }
        }
        List<Path> python;
        try (Stream<Path> files = Files.list(dir)) {
            python = files.filter(f -> f.toString().endsWith(".py") && Files.isRegularFile(f)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (python.size() == 1) {
            return python.get(0).getFileName().toString();
        }
        List<Path> mains = python.stream().filter(ConfigurationGuess::hasMainGuard).toList();
        return mains.size() == 1 ? mains.get(0).getFileName().toString() : null;
    }

    private static boolean hasMainGuard(Path file) {
        try {
            String text = Files.readString(file);
            return text.contains("__name__ == \"__main__\"") || text.contains("__name__ == '__main__'");
        } catch (IOException e) {
            return false;
        }
    }
}
