package dev.slipway.server.api;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.GZIPInputStream;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.PacketLineOut;
import org.eclipse.jgit.transport.RefAdvertiser;
import org.eclipse.jgit.transport.UploadPack;

/**
 * A private Git repository over smart HTTP (JGit's {@link UploadPack}), answering only requests whose basic
 * authentication password is the expected token, like a Git host with personal access tokens.
 */
final class PrivateGitServer implements AutoCloseable {
    private final HttpServer server;

    PrivateGitServer(Repository repository, String token) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/private.git/", exchange -> {
            try (exchange) {
                if (!authorized(exchange, token)) {
                    exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"private\"");
                    exchange.sendResponseHeaders(401, -1);
                    return;
                }
                String path = exchange.getRequestURI().getPath();
                if (path.endsWith("/info/refs") && "service=git-upload-pack".equals(exchange.getRequestURI().getQuery())) {
                    exchange.getResponseHeaders().set("Content-Type", "application/x-git-upload-pack-advertisement");
                    exchange.sendResponseHeaders(200, 0);
                    OutputStream out = exchange.getResponseBody();
                    PacketLineOut pck = new PacketLineOut(out);
                    pck.writeString("# service=git-upload-pack\n");
                    pck.end();
                    UploadPack up = new UploadPack(repository);
                    up.setBiDirectionalPipe(false);
                    up.sendAdvertisedRefs(new RefAdvertiser.PacketLineOutRefAdvertiser(pck));
                    out.flush();
                } else if (path.endsWith("/git-upload-pack") && exchange.getRequestMethod().equals("POST")) {
                    exchange.getResponseHeaders().set("Content-Type", "application/x-git-upload-pack-result");
                    exchange.sendResponseHeaders(200, 0);
                    InputStream in = exchange.getRequestBody();
                    if ("gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                        in = new GZIPInputStream(in);
                    }
                    UploadPack up = new UploadPack(repository);
                    up.setBiDirectionalPipe(false);
                    up.upload(in, exchange.getResponseBody(), null);
                } else {
                    exchange.sendResponseHeaders(404, -1);
                }
            }
        });
        server.start();
    }

    /** The clone URL. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/private.git";
    }

    private static boolean authorized(HttpExchange exchange, String token) {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.startsWith("Basic ")) {
            return false;
        }
        String decoded = new String(Base64.getDecoder().decode(auth.substring(6)), StandardCharsets.UTF_8);
        return decoded.substring(decoded.indexOf(':') + 1).equals(token);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
