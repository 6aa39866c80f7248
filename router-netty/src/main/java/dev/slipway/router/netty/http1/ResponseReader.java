package dev.slipway.router.netty.http1;

/** What reads an instance's responses: told, before each request goes upstream, what the response may carry. */
public interface ResponseReader {
    /**
     * The next response answers a request (HEAD: no body) whose client connection stays open or not, from a client
     * that speaks HTTP/1.0 (no chunked bodies) or 1.1.
     */
    void expect(boolean headRequest, boolean clientKeepAlive, boolean clientHttp10);

    /** The request asks to switch protocols: a 101 may answer it, after which the connection's bytes are relayed as they are. */
    default void expectUpgrade() {
        throw new UnsupportedOperationException("this reader relays no protocol switch");
    }
}
