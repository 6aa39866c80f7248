package dev.slipway.core.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The embedded default: an SQLite database ({@code <state-dir>/state.db}) in WAL mode with {@code synchronous=FULL},
 * one row per document. A commit is one SQLite transaction: it survives a crash of the process or the machine once
 * this returns, and a crash before leaves the state as it was. Writing one document costs the same with 10,000
 * services as with one. The file holds connection tokens and secret values, so it is created readable by its owner
 * only (mode 0600; SQLite gives its WAL files the same mode). The schema version is SQLite's {@code user_version}.
 */
public final class SqliteStateStore implements StateStore {
    private final Path file;
    private final Connection db;

    public SqliteStateStore(Path file) {
        this.file = file;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (!Files.exists(file)) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA journal_size_limit=0"); // the log shrinks back after a checkpoint
                s.execute("CREATE TABLE IF NOT EXISTS documents (key TEXT PRIMARY KEY, json TEXT NOT NULL) WITHOUT ROWID");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create Slipway's state database " + file, e);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot open Slipway's state database " + file + " (" + e.getMessage()
                    + "); move it away to start empty, or restore it from a backup", e);
        }
    }

    @Override
    public synchronized Optional<StoredState> load() {
        try (Statement s = db.createStatement()) {
            s.execute("BEGIN"); // one snapshot of both reads
            int version;
            try (ResultSet r = s.executeQuery("PRAGMA user_version")) {
                version = r.next() ? r.getInt(1) : 0;
            }
            Map<String, String> documents = new LinkedHashMap<>();
            try (ResultSet r = s.executeQuery("SELECT key, json FROM documents ORDER BY key")) {
                while (r.next()) {
                    documents.put(r.getString(1), r.getString(2));
                }
            }
            s.execute("COMMIT");
            return version == 0 ? Optional.empty() : Optional.of(new StoredState(version, documents));
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read Slipway's state from " + file + " (" + e.getMessage()
                    + "); move it away to start empty, or restore it from a backup", e);
        }
    }

    @Override
    public synchronized void commit(StateCommit commit) {
        // explicit transactions: after a failed statement (a full disk) SQLite may have rolled back already, and the
        // driver's own transaction handling would then run the next commit's statements one by one
        try (Statement tx = db.createStatement()) {
            tx.execute("BEGIN IMMEDIATE");
            try (PreparedStatement put = db.prepareStatement("INSERT INTO documents (key, json) VALUES (?, ?) "
                    + "ON CONFLICT(key) DO UPDATE SET json = excluded.json");
                 PreparedStatement delete = db.prepareStatement("DELETE FROM documents WHERE key = ?")) {
                for (Map.Entry<String, String> e : commit.puts().entrySet()) {
                    put.setString(1, e.getKey());
                    put.setString(2, e.getValue());
                    put.addBatch();
                }
                for (String key : commit.deletes()) {
                    delete.setString(1, key);
                    delete.addBatch();
                }
                put.executeBatch();
                delete.executeBatch();
            }
            tx.execute("PRAGMA user_version = " + commit.schemaVersion());
            tx.execute("COMMIT");
        } catch (SQLException e) {
            try (Statement undo = db.createStatement()) {
                undo.execute("ROLLBACK");
            } catch (SQLException noTransaction) { // SQLite rolled back already
                e.addSuppressed(noTransaction);
            }
            throw new IllegalStateException("cannot save Slipway's state to " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot close " + file, e);
        }
    }
}
