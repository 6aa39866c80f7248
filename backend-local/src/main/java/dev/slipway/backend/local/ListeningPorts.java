package dev.slipway.backend.local;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The TCP ports the processes of a process group listen on, read from Linux's {@code /proc}: the group's processes
 * ({@code /proc/<pid>/stat}), their socket inodes ({@code /proc/<pid>/fd}), and the listening sockets of
 * {@code /proc/net/tcp} and {@code tcp6}. Empty where there is no {@code /proc}.
 */
final class ListeningPorts {
    private static final Path PROC = Path.of("/proc");
    private static final String LISTEN = "0A";

    private ListeningPorts() {
    }

    static Set<Integer> of(long processGroup) {
        Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(PROC, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path pid : pids) {
                if (inGroup(pid, processGroup)) {
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
