package dev.slipway.core.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The real curl, as a user runs it against the router: HTTPS to a name that resolves to 127.0.0.1 ({@code --resolve}),
 * trusting only the given root ({@code --cacert}), so the certificate the router chose by the name is verified.
 */
public final class Curl {
    /** What curl said: its exit code (0, or e.g. 60 for a certificate it does not trust), the HTTP version and status, headers and body. */
    public record Result(int exitCode, String httpVersion, int status, String headers, String body, String stderr) {
        /** A response header's value, or "" (case-insensitive name; the last response's). */
        public String header(String name) {
            for (String line : headers.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return "";
        }
    }

    private Curl() {
    }

    /**
     * GETs {@code https://<host>:<port><path>} with {@code host} resolved to 127.0.0.1, trusting {@code caFile} only
     * (null: verifying nothing, {@code -k}); {@code options} are more of curl's ({@code --http2}, {@code --http1.1}).
     */
    public static Result https(String host, int port, String path, Path caFile, String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "-i", "--max-time", "20",
                "--resolve", host + ":" + port + ":127.0.0.1"));
        if (caFile == null) {
            command.add("-k");
        } else {
            command.addAll(List.of("--cacert", caFile.toString()));
        }
        command.addAll(List.of(options));
        command.add("https://" + host + ":" + port + path);
        return run(command);
    }

    /**
     * Sends {@code http://<host>:<port><path>} with {@code host} resolved to 127.0.0.1; {@code options} are more of curl's
     * ({@code --http2-prior-knowledge}, {@code --data-binary}).
     */
    public static Result http(String host, int port, String path, String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "-i", "--max-time", "20",
                "--resolve", host + ":" + port + ":127.0.0.1"));
        command.addAll(List.of(options));
        command.add("http://" + host + ":" + port + path);
        return run(command);
    }

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        String text = new String(out, StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        String head = end < 0 ? text : text.substring(0, end);
        String body = end < 0 ? "" : text.substring(end + 4);
        String version = "";
        int status = 0;
        if (head.startsWith("HTTP/")) {
            String[] statusLine = head.substring(0, head.indexOf("\r\n") < 0 ? head.length() : head.indexOf("\r\n")).split(" ");
            version = statusLine[0].toUpperCase(Locale.ROOT);
            status = Integer.parseInt(statusLine[1]);
        }
        return new Result(p.exitValue(), version, status, head, body, err);
    }
}
