package dev.slipway.core.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.ignore.IgnoreNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a source tree for created, changed and deleted files (the platform's file events: inotify on Linux), and
 * calls its listener once the changes settle (no new one for the debounce time), with the paths that changed and when
 * the first of them was seen (a file created and deleted meanwhile, as editors' temporary files are, is no change). Ignored: what the tree's {@code .gitignore} files ignore, {@code .git}, what builds and
 * package managers write ({@code node_modules}, {@code __pycache__}, {@code target}, {@code build}, {@code dist},
 * {@code .gradle}, virtual environments) and editors' temporary files (swap files, backups ending in {@code ~}).
 */
public final class SourceWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SourceWatcher.class);
    private static final Set<String> IGNORED_DIRECTORIES = Set.of(".git", "node_modules", "__pycache__", "target", "build",
            "dist", ".gradle", ".venv", "venv", ".mypy_cache", ".pytest_cache", ".idea", ".vscode");

    /** Called on the watcher's thread once changes settle. */
    public interface Listener {
        void changed(Set<Path> changed, Instant firstSeen);
    }

    private final Path root;
    private final Duration debounce;
    private final Listener listener;
    private final WatchService watch;
    private final Map<WatchKey, Path> directories = new HashMap<>();
    private final Map<Path, IgnoreNode> ignoreFiles = new java.util.concurrent.ConcurrentHashMap<>();
    private final Thread thread;

    private SourceWatcher(Path root, Duration debounce, Listener listener) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.debounce = debounce;
        this.listener = listener;
        this.watch = this.root.getFileSystem().newWatchService();
        register(this.root);
        this.thread = new Thread(this::run, "slipway-watch");
        this.thread.setDaemon(true);
    }

    /** Watches {@code root} and the directories under it, until {@link #close()}. */
    public static SourceWatcher start(Path root, Duration debounce, Listener listener) throws IOException {
        SourceWatcher w = new SourceWatcher(root, debounce, listener);
        w.thread.start();
        return w;
    }

    /** Whether a change of {@code path} (under the root) is one the watcher ignores. */
    public boolean ignored(Path path, boolean directory) {
        Path relative = root.relativize(path.toAbsolutePath().normalize());
        for (Path part : relative) {
            if (IGNORED_DIRECTORIES.contains(part.toString()) && (directory || !part.equals(relative.getFileName()))) {
                return true;
            }
        }
        String name = relative.getFileName() == null ? "" : relative.getFileName().toString();
        if (name.endsWith("~") || name.endsWith(".swp") || name.endsWith(".swx") || name.startsWith(".#") || name.equals("4913")
                || name.endsWith(".pyc")) {
            return true; // editors' swap, backup and lock files (4913: vim's test of the directory), compiled Python
        }
        // .gitignore files from the root down; a deeper one decides over a shallower one
        Boolean decided = null;
        Path dir = root;
        for (int i = 0; i < relative.getNameCount(); i++) {
            IgnoreNode node = ignoreFile(dir);
            if (node != null) {
                Boolean match = node.checkIgnored(dir.relativize(path.toAbsolutePath().normalize()).toString().replace('\\', '/'),
                        directory);
                if (match != null) {
                    decided = match;
                }
            }
            dir = dir.resolve(relative.getName(i));
        }
        return Boolean.TRUE.equals(decided);
    }

    private IgnoreNode ignoreFile(Path dir) {
        return ignoreFiles.computeIfAbsent(dir, d -> {
            Path file = d.resolve(".gitignore");
            if (!Files.isRegularFile(file)) {
                return null;
            }
            IgnoreNode node = new IgnoreNode();
            try (InputStream in = Files.newInputStream(file)) {
                node.parse(file.toString(), in);
            } catch (IOException e) {
                return null;
            }
            return node;
        });
    }

    private void register(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                if (!d.equals(root) && ignored(d, true)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                directories.put(d.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE), d);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
                return FileVisitResult.CONTINUE; // gone meanwhile, or unreadable: nothing to watch there
            }
        });
    }

    private void run() {
        Set<Path> changed = new LinkedHashSet<>();
        Set<Path> created = new java.util.HashSet<>();
        Instant first = null;
        try {
            while (true) {
                WatchKey key = changed.isEmpty() ? watch.take() : watch.poll(debounce.toMillis(), TimeUnit.MILLISECONDS);
                if (key == null) { // quiet for the debounce time: the changes settled
                    // a file made and removed meanwhile (an editor's or sed's temporary file) changed nothing
                    changed.removeIf(p -> created.contains(p) && !Files.exists(p));
                    Set<Path> batch = Set.copyOf(changed);
                    Instant seen = first;
                    changed.clear();
                    created.clear();
                    first = null;
                    if (batch.isEmpty()) {
                        continue;
                    }
                    try {
                        listener.changed(batch, seen);
                    } catch (RuntimeException e) {
                        LOG.warn("the watcher's listener failed: {}", e.toString());
                    }
                    continue;
                }
                Path dir = directories.get(key);
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (dir == null || event.kind() == StandardWatchEventKinds.OVERFLOW) {
                        if (first == null) {
                            first = Instant.now();
                        }
                        changed.add(root); // events were lost: something changed
                        continue;
                    }
                    Path path = dir.resolve((Path) event.context());
                    boolean isDirectory = Files.isDirectory(path);
                    if (path.getFileName().toString().equals(".gitignore")) {
                        ignoreFiles.remove(path.getParent());
                    }
                    if (ignored(path, isDirectory)) {
                        continue;
                    }
                    if (isDirectory && event.kind() == StandardWatchEventKinds.ENTRY_CREATE) {
                        try {
                            register(path);
                            // files written before the directory was watched are changes too
                            try (var files = Files.walk(path)) {
                                files.filter(f -> Files.isRegularFile(f) && !ignored(f, false)).forEach(changed::add);
                            }
                        } catch (IOException e) {
                            LOG.debug("cannot watch {}: {}", path, e.toString());
                        }
                    }
                    if (isDirectory && event.kind() == StandardWatchEventKinds.ENTRY_MODIFY) {
                        continue; // a directory's own time changed: its files' events say what
                    }
                    if (first == null) {
                        first = Instant.now();
                    }
                    if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE) {
                        created.add(path);
                    }
                    changed.add(path);
                }
                if (!key.reset()) {
                    directories.remove(key);
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        }
    }

    @Override
    public void close() {
        thread.interrupt();
        try {
            watch.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
