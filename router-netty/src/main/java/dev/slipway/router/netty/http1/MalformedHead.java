package dev.slipway.router.netty.http1;

import io.netty.handler.codec.http.HttpResponseStatus;

/** Why a message head cannot be passed on: the status the router answers a client with, and a sentence saying why. */
final class MalformedHead extends RuntimeException {
    final HttpResponseStatus status;

    MalformedHead(HttpResponseStatus status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    MalformedHead(String message) {
        this(HttpResponseStatus.BAD_REQUEST, message);
    }
}
