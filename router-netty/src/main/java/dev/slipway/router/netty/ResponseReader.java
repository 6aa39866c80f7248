package dev.slipway.router.netty;

/** What reads an instance's responses: told, before each request goes upstream, what the response may carry. */
interface ResponseReader {
    /** The next response answers a request (HEAD: no body) whose client connection stays open or not. */
    void expect(boolean headRequest, boolean clientKeepAlive);
}
