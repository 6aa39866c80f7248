package dev.slipway.benchmarks;

import dev.slipway.server.api.ApiClient;
import dev.slipway.server.api.ApiCredentials;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * The API server's own latency, without a client library's: requests signed as {@link ApiClient} signs them (the AWS
 * SDK's SigV4 signer), written on one kept-alive socket, the response read by its Content-Length.
 */
final class RawApiClient implements AutoCloseable {
    private final ApiClient signer;
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    RawApiClient(int port, ApiCredentials keys, String region) throws IOException {
        this.signer = new ApiClient(URI.create("http://127.0.0.1:" + port + "/"), keys, region);
        this.socket = new Socket("127.0.0.1", port);
        socket.setTcpNoDelay(true);
        this.out = socket.getOutputStream();
        this.in = new BufferedInputStream(socket.getInputStream());
    }

    /** POSTs {@code body} with {@code X-Amz-Target: target}; returns the response's status line. */
    String post(String target, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        SdkHttpRequest signed = signer.sign(target, bytes);
        StringBuilder head = new StringBuilder("POST / HTTP/1.1\r\n");
        signed.forEachHeader((name, values) -> values.forEach(v -> head.append(name).append(": ").append(v).append("\r\n")));
        head.append("Content-Length: ").append(bytes.length).append("\r\n\r\n");
        out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
        String status = line();
        int length = 0;
        for (String h; !(h = line()).isEmpty(); ) {
            if (h.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Integer.parseInt(h.substring(15).trim());
            }
        }
        in.readNBytes(length);
        return status;
    }

    private String line() throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("the API server closed the connection");
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
