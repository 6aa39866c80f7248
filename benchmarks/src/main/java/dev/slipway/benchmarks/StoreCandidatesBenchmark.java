package dev.slipway.benchmarks;

import dev.slipway.core.store.SqliteStateStore;
import dev.slipway.core.store.StateCommit;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * The candidates for the state of the embedded default, each made durable on every change (what an acknowledged change
 * needs): SQLite in WAL mode with synchronous=FULL (SqliteStateStore), H2's MVStore (commit, then sync), and the JSON
 * file the state was before (the whole state written to a temporary file, forced, renamed). One change rewrites one
 * service's document (2.5 KB, as a real one with a few operations) among N. Prints p50/p99 per change in microseconds.
 * Usage: bench/store-candidates.sh [counts...]
 */
public final class StoreCandidatesBenchmark {
    private static final String DOCUMENT = "{\"service\":\"" + "x".repeat(2500) + "\"}";

    interface Store extends AutoCloseable {
        void put(String key, String json) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int[] counts = args.length > 0 ? Arrays.stream(args).mapToInt(Integer::parseInt).toArray() : new int[] {1, 1000, 10000};
        System.out.printf("%-8s %-22s %8s %8s%n", "services", "store", "p50 us", "p99 us");
        for (int n : counts) {
            Path dir = Files.createTempDirectory("slipway-stores-");
            measure(n, "SQLite (WAL, FULL)", sqlite(dir.resolve("state.db")), 0);
            measure(n, "H2 MVStore (sync)", mvstore(dir.resolve("state.mv")), 0);
            measure(n, "JSON file (whole)", jsonFile(dir.resolve("state.json")), 0);
            // a change after the machine went quiet, as an API call after a pause is
            measure(n, "SQLite, 0.5 s quiet", sqlite(dir.resolve("quiet.db")), 500);
            dev.slipway.core.source.SourceFetcher.deleteTree(dir);
        }
    }

    private static void measure(int n, String name, Store store, long quietMillis) throws Exception {
        try (store) {
            Map<String, String> all = new HashMap<>();
            for (int i = 0; i < n; i++) {
                all.put("service/" + i, DOCUMENT);
            }
            if (store instanceof Seeded s) {
                s.seed(all);
            } else {
                for (var e : all.entrySet()) {
                    store.put(e.getKey(), e.getValue());
                }
            }
            int changes = quietMillis > 0 ? 40 : n >= 10000 ? 100 : 400;
            long[] nanos = new long[changes];
            for (int i = 0; i < changes + 50; i++) {
                if (quietMillis > 0 && i >= 50) {
                    java.util.concurrent.locks.LockSupport.parkNanos(quietMillis * 1_000_000);
                }
                long start = System.nanoTime();
                store.put("service/" + (i % n), DOCUMENT.replace("xx", "y" + i));
                if (i >= 50) {
                    nanos[i - 50] = System.nanoTime() - start;
                }
            }
            Arrays.sort(nanos);
            System.out.printf("%-8d %-22s %8.0f %8.0f%n", n, name, nanos[changes / 2] / 1e3, nanos[(int) (changes * 0.99)] / 1e3);
        }
    }

    /** A store filled in one go. */
    interface Seeded extends Store {
        void seed(Map<String, String> documents) throws Exception;
    }

    private static Store sqlite(Path file) {
        SqliteStateStore db = new SqliteStateStore(file);
        return new Seeded() {
            public void seed(Map<String, String> documents) {
                db.commit(new StateCommit(3, documents, Set.of()));
            }

            public void put(String key, String json) {
                db.commit(new StateCommit(3, Map.of(key, json), Set.of()));
            }

            public void close() {
                db.close();
            }
        };
    }

    private static Store mvstore(Path file) {
        MVStore store = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
        MVMap<String, String> map = store.openMap("documents");
        return new Seeded() {
            public void seed(Map<String, String> documents) {
                map.putAll(documents);
                store.commit();
                store.sync();
            }

            public void put(String key, String json) {
                map.put(key, json);
                store.commit();
                store.sync();
            }

            public void close() {
                store.close();
            }
        };
    }

    private static Store jsonFile(Path file) {
        Map<String, String> state = new LinkedHashMap<>();
        return new Seeded() {
            public void seed(Map<String, String> documents) throws IOException {
                state.putAll(documents);
                write();
            }

            public void put(String key, String json) throws IOException {
                state.put(key, json);
                write();
            }

            private void write() throws IOException {
                StringBuilder b = new StringBuilder("{");
                state.forEach((k, v) -> b.append('"').append(k).append("\":").append(v).append(','));
                b.append('}');
                Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE)) {
                    ch.write(ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.UTF_8)));
                    ch.force(true);
                }
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }

            public void close() {
            }
        };
    }
}
