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
 *   <li>otherwise Python 3, with {@code pip install -r requirements.txt} when that file exists, started with
 *       {@code python <main>}, where main is {@code server.py}, {@code app.py} or {@code main.py} (first found), else
 *       the only {@code .py} file, else the only one with {@code if __name__ == "__main__"}.</li>
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
        boolean requirements = Files.isRegularFile(dir.resolve("requirements.txt"));
        String main = pythonMain(dir);
        if (main == null) {
            throw new ConfigurationFileException(dir + " has no " + AppRunnerYaml.FILE_NAME + (Files.exists(dir.resolve("apprunner.yml"))
                    ? " (it has apprunner.yml: App Runner reads only apprunner.yaml, so rename it)" : "")
                    + ", and Slipway cannot tell how to run it: no package.json, and no single Python file to start. "
                    + "Add an apprunner.yaml (see docs/user-guide.md)");
        }
        return new ConfigurationGuess(values(Runtime.PYTHON_3, requirements ? "pip install -r requirements.txt" : null,
                "python " + main), (requirements ? "requirements.txt and " : "") + main);
    }

    /** The guess as an apprunner.yaml, to edit. */
    public String toYaml() {
        StringBuilder y = new StringBuilder("version: 1.0\nruntime: ").append(values.runtime() == Runtime.NODEJS_18 ? "nodejs18" : "python3").append('\n');
        if (values.buildCommand() != null) {
            y.append("build:\n  commands:\n    build:\n      - ").append(values.buildCommand()).append('\n');
        }
        y.append("run:\n  command: ").append(values.startCommand()).append('\n')
                .append("  network:\n    port: ").append(values.port()).append('\n');
        return y.toString();
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
