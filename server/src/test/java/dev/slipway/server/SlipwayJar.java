package dev.slipway.server;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code java -jar target/slipway.jar ...} run as a user runs it, its output collected line by line. */
public final class SlipwayJar implements AutoCloseable {
    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private SlipwayJar(Process process) {
        this.process = process;
        this.reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "slipway-jar-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts the jar with {@code args}, stdout and stderr merged. */
    public static SlipwayJar start(String... args) {
        return start(java.util.Map.of(), args);
    }

    /**
     * The state directory of the jars a test JVM starts without one of their own ({@code SLIPWAY_STATE_DIR}; an explicit
     * {@code --state-dir} wins), so that no test writes to ~/.slipway. Deleted when the JVM exits.
     */
    public static final Path STATE_DIR = defaultStateDir();

    private static Path defaultStateDir() {
        try {
            Path dir = java.nio.file.Files.createTempDirectory("slipway-jar-state-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> dev.slipway.core.source.SourceFetcher.deleteTree(dir)));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the jar with {@code args} and these environment variables added, stdout and stderr merged. */
    public static SlipwayJar start(java.util.Map<String, String> env, String... args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-jar", Path.of("target", "slipway.jar").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("SLIPWAY_STATE_DIR", STATE_DIR.toString());
        pb.environment().putAll(env);
        try {
            return new SlipwayJar(pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the jar to its end (at most a minute) and returns its exit code; {@link #output()} then has every line. */
    public static SlipwayJar run(String... args) throws InterruptedException {
        SlipwayJar jar = start(args);
        jar.awaitExit(Duration.ofMinutes(1));
        return jar;
    }

    public Process process() {
        return process;
    }

    /** Sends SIGTERM (what Ctrl-C's shutdown path runs), keeping the output readable, unlike {@link Process#destroy()}. */
    public void sigterm() {
        process.toHandle().destroy();
    }

    public List<String> output() {
        return output;
    }

    /** Waits for the process to end and for its output to be read; returns the exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("slipway did not exit within " + timeout + ":\n" + String.join("\n", output));
        }
        reader.join(timeout.toMillis());
        return process.exitValue();
    }

    /** Waits (at most {@code timeout}) until a line matches {@code pattern}, or fails showing the output. */
    public Matcher awaitLine(Pattern pattern, Duration timeout) {
        await().atMost(timeout).until(() -> find(pattern).isPresent() || !process.isAlive() && !reader.isAlive());
        return find(pattern).orElseThrow(() -> new AssertionError("no line matching " + pattern + ":\n" + String.join("\n", output)));
    }

    public Optional<Matcher> find(Pattern pattern) {
        return output.stream().map(pattern::matcher).filter(Matcher::find).findFirst();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
