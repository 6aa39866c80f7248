package dev.slipway.server;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code slipway logs}: prints a service's log streams from the state directory, and follows them. */
@Command(name = "logs", mixinStandardHelpOptions = true,
        description = {"Print a service's logs, as the guide's log streams name them:",
                "  events                    service events (operations, replaced instances) - the default",
                "  deployment/<operation-id> the [AppRunner] steps and [Build] output of one operation",
                "  instance/<instance-id>    what the application printed",
                "",
                "Examples:",
                "  slipway logs python-test",
                "  slipway logs python-test --deployment latest",
                "  slipway logs python-test --application --follow"})
final class LogsCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SERVICE", description = "The service name.")
    String service;

    @Option(names = "--deployment", paramLabel = "OPERATION-ID", description = "A deployment log: an operation id, or 'latest'.")
    String deployment;

    @Option(names = "--instance", paramLabel = "INSTANCE-ID", description = "One instance's application log.")
    String instance;

    @Option(names = "--application", description = "The application logs of every instance.")
    boolean application;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new lines until Ctrl-C.")
    boolean follow;

    @Mixin
    StateDirOption stateDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path dir = stateDir.path.resolve("logs").resolve(service);
        if (!Files.isDirectory(dir)) {
            err.println("slipway logs: no logs for a service named '" + service + "' in " + stateDir.path.resolve("logs")
                    + "; services with logs: " + known(stateDir.path.resolve("logs")));
            return 2;
        }
        List<Path> files;
        if (deployment != null) {
            files = deployment.equals("latest") ? newest(dir.resolve("deployment")) : List.of(dir.resolve("deployment").resolve(deployment + ".log"));
        } else if (instance != null) {
            files = List.of(dir.resolve("instance").resolve(instance + ".log"));
        } else if (application) {
            files = all(dir.resolve("instance"));
        } else {
            files = List.of(dir.resolve("events.log"));
        }
        if (files.isEmpty() || !follow && files.stream().noneMatch(Files::exists)) {
            err.println("slipway logs: no such log for " + service + "; streams: " + streams(dir));
            return 2;
        }
        Map<Path, Long> offsets = new LinkedHashMap<>();
        files.forEach(f -> offsets.put(f, 0L));
        do {
            if (application && follow) {
                all(dir.resolve("instance")).forEach(f -> offsets.putIfAbsent(f, 0L));
            }
            for (Map.Entry<Path, Long> e : offsets.entrySet()) {
                e.setValue(print(e.getKey(), e.getValue(), files.size() > 1 || application, out));
            }
            out.flush();
            if (follow) {
                Thread.sleep(200); // polling a file; there is no condition to wait on
            }
        } while (follow);
        return 0;
    }

    /** Prints the complete lines of {@code file} from {@code offset}; returns the offset after them. */
    private static long print(Path file, long offset, boolean prefix, PrintWriter out) throws IOException {
        if (!Files.exists(file)) {
            return offset;
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            if (raf.length() <= offset) {
                return offset;
            }
            raf.seek(offset);
            byte[] bytes = new byte[(int) (raf.length() - offset)];
            raf.readFully(bytes);
            int end = lastNewline(bytes);
            if (end < 0) {
                return offset;
            }
            String name = file.getFileName().toString().replace(".log", "");
            for (String line : new String(bytes, 0, end, StandardCharsets.UTF_8).split("\n")) {
                out.println(prefix ? "[" + name.substring(0, Math.min(6, name.length())) + "] " + line : line);
            }
            return offset + end + 1;
        }
    }

    private static int lastNewline(byte[] bytes) {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static List<Path> all(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".log")).sorted(Comparator.comparing(LogsCommand::modified)).toList();
        }
    }

    private static List<Path> newest(Path dir) throws IOException {
        List<Path> all = all(dir);
        return all.isEmpty() ? List.of() : List.of(all.get(all.size() - 1));
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    private static String streams(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        if (Files.exists(dir.resolve("events.log"))) {
            names.add("events");
        }
        for (String kind : List.of("deployment", "instance")) {
            for (Path p : all(dir.resolve(kind))) {
                names.add(kind + "/" + p.getFileName().toString().replace(".log", ""));
            }
        }
        return names.isEmpty() ? "none yet" : String.join(", ", names);
    }

    private static String known(Path logs) throws IOException {
        if (!Files.isDirectory(logs)) {
            return "none";
        }
        try (Stream<Path> s = Files.list(logs)) {
            List<String> names = s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
            return names.isEmpty() ? "none" : String.join(", ", names);
        }
    }
}
