package dev.slipway.server.api;

/** An error of the protocol or of authentication, with the AWS error code and HTTP status it is sent with. */
final class ApiException extends RuntimeException {
    private final String code;
    private final int status;

    ApiException(String code, int status, String message) {
        super(message);
        this.code = code;
        this.status = status;
    }

    String code() {
        return code;
    }

    int status() {
        return status;
    }
}
