package dev.slipway.core.spi;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The TCP ports some processes of this host listen on, read from Linux's {@code /proc}: the processes (a process group
 * by {@code /proc/<pid>/stat}, or a container's by {@code /proc/<pid>/cgroup}), their socket inodes
 * ({@code /proc/<pid>/fd}), and the listening sockets of {@code /proc/net/tcp} and {@code tcp6} (this host's network:
 * for processes on it, such as local instances and containers on the host's network). Empty where there is no
 * {@code /proc}. For backends that watch whether an instance listens where it was told to ({@link PortWatch}).
 */
public final class ListeningPorts {
    private static final Path PROC = Path.of("/proc");
    private static final String LISTEN = "0A";

    private ListeningPorts() {
    }

    /** The ports the processes of process group {@code processGroup} listen on. */
    public static Set<Integer> ofProcessGroup(long processGroup) {
        return of(pid -> inGroup(pid, processGroup));
    }

    /** The ports the processes whose cgroup path names {@code name} (e.g. a container's id) listen on. */
    public static Set<Integer> ofCgroup(String name) {
        return of(pid -> {
            try {
                return Files.readString(pid.resolve("cgroup")).contains(name);
            } catch (IOException | RuntimeException e) {
                return false; // gone meanwhile
            }
        });
    }

    private static Set<Integer> of(java.util.function.Predicate<Path> process) {
        Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(PROC, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path pid : pids) {
                if (process.test(pid)) {
                    inodes.addAll(socketInodes(pid));
                }
            }
        } catch (IOException | RuntimeException e) {
            return Set.of();
        }
        Set<Integer> ports = new TreeSet<>();
        if (!inodes.isEmpty()) {
            for (String table : List.of("net/tcp", "net/tcp6")) {
                listening(PROC.resolve(table), inodes, ports);
            }
        }
        return ports;
    }

    private static boolean inGroup(Path pid, long group) {
        try {
            String stat = Files.readString(pid.resolve("stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[2]) == group; // state, ppid, pgrp
        } catch (IOException | RuntimeException e) {
            return false; // gone meanwhile
        }
    }

    private static Set<String> socketInodes(Path pid) {
        Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(pid.resolve("fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            // gone meanwhile, or not ours to read
        }
        return inodes;
    }

    private static void listening(Path table, Set<String> inodes, Set<Integer> ports) {
        try {
            List<String> lines = Files.readAllLines(table);
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && f[3].equals(LISTEN) && inodes.contains(f[9])) {
                    String local = f[1];
                    ports.add(Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16));
                }
            }
        } catch (IOException | RuntimeException e) {
            // no IPv6, or no /proc
        }
    }
}
