package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.core.Slipway;
import dev.slipway.core.Timeouts;
import dev.slipway.core.api.CreateServiceRequest;
import dev.slipway.core.api.StartDeploymentRequest;
import dev.slipway.core.model.CodeRepository;
import dev.slipway.core.model.SourceCodeVersion;
import dev.slipway.core.model.SourceConfiguration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * WebSockets through a real deployment: a Python app (standard library only) that echoes WebSocket messages, 20 sockets
 * open through the router; a new deployment switches traffic, and the old instance's sockets keep working through its
 * drain, closing none early, then each gets 1001 (going away) from the router when the drain times out; new sockets
 * reach the new revision.
 */
class WebSocketDeploymentIT {
    private static final Duration DRAIN = Duration.ofSeconds(4);

    @TempDir
    Path tmp;

    @Test
    void aDeploymentLetsOpenSocketsFinishUpToTheDrainTimeoutThenClosesThemGoingAway() throws Exception {
        Path app = Files.createDirectories(tmp.resolve("ws-app"));
        Files.writeString(app.resolve("server.py"), ECHO_APP);
        Files.writeString(app.resolve("apprunner.yaml"), "version: 1.0\nruntime: python3\nrun:\n  command: python3 server.py\n");
        Timeouts timeouts = new Timeouts(Timeouts.DEFAULT.startup(), DRAIN, Timeouts.DEFAULT.stopGrace(), Timeouts.DEFAULT.step());
        try (Slipway slipway = Slipway.builder().routerPort(0).stateDir(tmp.resolve("state")).allowedSourceDirectories(List.of(tmp))
                .timeouts(timeouts).build()) {
            var created = slipway.createService(CreateServiceRequest.builder().serviceName("sockets").sourceConfiguration(
                    SourceConfiguration.of(new CodeRepository(app.toString(), SourceCodeVersion.branch("main"), null, null))).build());
            created.operation().awaitSuccess(Duration.ofMinutes(1));
            String arn = created.service().serviceArn();
            URI uri = URI.create("ws://127.0.0.1:" + slipway.directPort(arn) + "/echo");

            List<Socket> sockets = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                sockets.add(Socket.open(uri));
            }
            for (Socket s : sockets) {
                assertThat(s.echo("before")).startsWith("before from pid ");
            }
            String oldPid = sockets.get(0).echo("pid").substring("pid from pid ".length());

            var deployment = slipway.startDeployment(new StartDeploymentRequest(arn));
            await().atMost(Duration.ofMinutes(1)).until(() -> slipway.logLines("sockets", "deployment/" + deployment.operationId())
                    .stream().anyMatch(l -> l.contains("Traffic switched")));
            long switched = System.nanoTime();
            Socket fresh = Socket.open(uri);
            assertThat(fresh.echo("pid")).as("a new socket reaches the new revision").doesNotEndWith(" " + oldPid);
            for (Socket s : sockets) { // the old instance still serves its open sockets while it drains
                assertThat(s.echo("during")).isEqualTo("during from pid " + oldPid);
            }
            for (Socket s : sockets) {
                assertThat(s.closed.get(DRAIN.toSeconds() + 30, TimeUnit.SECONDS)).as("going away").isEqualTo(1001);
            }
            assertThat(sockets.stream().mapToLong(s -> s.closedAt - switched).min().orElseThrow())
                    .as("no socket closed before the drain timeout").isGreaterThanOrEqualTo(DRAIN.toNanos() - Duration.ofMillis(500).toNanos());
            deployment.operation().awaitSuccess(Duration.ofMinutes(1));
            await().atMost(Duration.ofSeconds(10)).until(() -> slipway.logLines("sockets", "deployment/" + deployment.operationId())
                    .stream().anyMatch(l -> l.contains("closing the connections still open (WebSockets: 1001 going away)")));
            assertThat(fresh.echo("after")).startsWith("after from pid ");
            assertThat(slipway.meterRegistry().get("slipway.ConnectionsClosedByDrain").tag("service", "sockets").counter().count())
                    .isEqualTo(20);
        }
    }

    /** A client socket: each message it sends is answered once; its close status when the other side closed it. */
    private static final class Socket implements WebSocket.Listener {
        final List<String> answers = new CopyOnWriteArrayList<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        volatile long closedAt;
        WebSocket ws;

        static Socket open(URI uri) throws Exception {
            Socket s = new Socket();
            s.ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, s).get(10, TimeUnit.SECONDS);
            return s;
        }

        String echo(String text) throws Exception {
            int before = answers.size();
            ws.sendText(text, true).get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> answers.size() > before);
            return answers.get(before);
        }

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            answers.add(data.toString());
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket w, int status, String reason) {
            closedAt = System.nanoTime();
            closed.complete(status);
            return null;
        }
    }

    /**
     * Echoes each text message with " from pid <pid>" (RFC 6455 by hand: the standard library has no WebSocket server);
     * {@code GET /} without an upgrade is a page whose script does the same from a browser.
     */
    static final String ECHO_APP = """
            import base64, hashlib, os, socketserver, struct
            GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
            # a page whose script echoes three messages through a WebSocket of the page's own host, for a browser
            PAGE = (b'<!doctype html><title>echo</title><p id="state">connecting</p><ul id="log"></ul><script>'
                    b'const ws = new WebSocket("ws://" + location.host + "/echo");'
                    b'ws.onopen = () => { document.getElementById("state").textContent = "open"; ["one", "two", "three"].forEach(m => ws.send(m)); };'
                    b'ws.onmessage = e => { const li = document.createElement("li"); li.textContent = e.data; document.getElementById("log").appendChild(li); };'
                    b'ws.onclose = e => { document.getElementById("state").textContent = "closed " + e.code; };'
                    b'</script>')
            class Handler(socketserver.StreamRequestHandler):
                def handle(self):
                    head = {}
                    line = self.rfile.readline()
                    while True:
                        h = self.rfile.readline()
                        if h in (b"\\r\\n", b""):
                            break
                        k, _, v = h.decode().partition(":")
                        head[k.strip().lower()] = v.strip()
                    if head.get("upgrade", "").lower() != "websocket":
                        body = PAGE if line.split()[1] == b"/" else b"ok"
                        self.wfile.write(b"HTTP/1.1 200 OK\\r\\nContent-Type: text/html\\r\\nContent-Length: " + str(len(body)).encode()
                                         + b"\\r\\nConnection: close\\r\\n\\r\\n" + body)
                        return
                    accept = base64.b64encode(hashlib.sha1((head["sec-websocket-key"] + GUID).encode()).digest()).decode()
                    self.wfile.write(("HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n"
                                      "Sec-WebSocket-Accept: " + accept + "\\r\\n\\r\\n").encode())
                    self.wfile.flush()
                    while True:
                        b = self.rfile.read(2)
                        if len(b) < 2:
                            return
                        opcode, n = b[0] & 0x0F, b[1] & 0x7F
                        if n == 126:
                            n = struct.unpack(">H", self.rfile.read(2))[0]
                        elif n == 127:
                            n = struct.unpack(">Q", self.rfile.read(8))[0]
                        mask = self.rfile.read(4) if b[1] & 0x80 else b"\\0\\0\\0\\0"
                        data = bytes(x ^ mask[i % 4] for i, x in enumerate(self.rfile.read(n)))
                        if opcode == 8:
                            self.wfile.write(b"\\x88\\x00")
                            return
                        if opcode == 1:
                            out = (data.decode() + " from pid " + str(os.getpid())).encode()
                            self.wfile.write(bytes([0x81, len(out)]) + out)
                            self.wfile.flush()
            class Server(socketserver.ThreadingTCPServer):
                allow_reuse_address = True
                daemon_threads = True
            Server(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
            """;
}
