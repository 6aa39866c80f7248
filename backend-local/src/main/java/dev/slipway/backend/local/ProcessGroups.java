package dev.slipway.backend.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starts commands as leaders of their own process group ({@code setsid}) so that a whole tree (the shell, the app,
 * whatever it forks) can be signalled at once, and stops them: SIGTERM to the group, then SIGKILL after a grace.
 */
final class ProcessGroups {
    private static final boolean HAS_SETSID = Files.isExecutable(Path.of("/usr/bin/setsid")) || Files.isExecutable(Path.of("/bin/setsid"));

    private ProcessGroups() {
    }

    /**
     * Starts {@code sh -c command} in {@code dir} as a new process group, stdout and stderr merged, as the user of
     * {@code runAs} if any. The environment is {@code env} over this JVM's, without Slipway's own variables
     * ({@code SLIPWAY_*}, e.g. the API's secret key); as another user, only {@code env} and the locale.
     */
    static Process start(String command, Path dir, Map<String, String> env, Optional<RunAs> runAs) throws IOException {
        return start(command, dir, env, runAs, null);
    }

    /** As {@link #start(String, Path, Map, Optional)}, with the output appended to {@code output} when it is not null. */
    static Process start(String command, Path dir, Map<String, String> env, Optional<RunAs> runAs, Path output) throws IOException {
        List<String> argv = new ArrayList<>();
        if (HAS_SETSID) {
            argv.add("setsid");
        }
        runAs.ifPresent(r -> argv.addAll(r.prefix()));
        argv.add("sh");
        argv.add("-c");
        argv.add(command);
        ProcessBuilder pb = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true);
        if (output != null) {
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
        }
        if (runAs.isPresent()) {
            pb.environment().keySet().removeIf(k -> !k.equals("LANG") && !k.startsWith("LC_") && !k.equals("TZ"));
            pb.environment().put("HOME", dir.toString()); // the service's home, when env names it (RunAs#home)
            pb.environment().put("USER", runAs.get().user());
        } else {
            pb.environment().keySet().removeIf(k -> k.startsWith("SLIPWAY_"));
        }
        try {
            pb.environment().putAll(env);
        } catch (IllegalArgumentException e) { // its message would hold the value, maybe a secret
            throw new IOException("an environment variable has '=' or NUL in its name, or NUL in its value");
        }
        Process p = pb.start();
        p.getOutputStream().close();
        return p;
    }

    /** Whether any process of the group led by {@code pid} is still alive. */
    static boolean groupAlive(long pid) {
        if (!HAS_SETSID) {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
        return signal("-0", pid);
    }

    /** SIGTERM to the group, wait up to {@code grace}, then SIGKILL; returns once the group is gone (or after 5 s more). */
    static void stop(long pid, Duration grace) {
        List<ProcessHandle> tree = ProcessHandle.of(pid).map(h -> {
            List<ProcessHandle> all = new ArrayList<>(h.descendants().toList());
            all.add(h);
            return all;
        }).orElse(List.of());
        if (HAS_SETSID) {
            signal("-TERM", pid);
        } else {
            tree.forEach(ProcessHandle::destroy);
        }
        if (!awaitGone(pid, tree, grace)) {
            if (HAS_SETSID) {
                signal("-KILL", pid);
            }
            tree.forEach(ProcessHandle::destroyForcibly);
            awaitGone(pid, tree, Duration.ofSeconds(5));
        }
    }

    private static boolean awaitGone(long pid, List<ProcessHandle> tree, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (groupAlive(pid) || tree.stream().anyMatch(ProcessHandle::isAlive)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private static boolean signal(String signal, long pgid) {
        try {
            Process kill = new ProcessBuilder("kill", signal, "--", "-" + pgid).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return kill.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
