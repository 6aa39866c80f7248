package dev.slipway.core.push;

/**
 * What a webhook call is answered: 202 (accepted: a deployment is scheduled, or the push is ignored and why), 200 (a
 * ping, a delivery already received), 400 (not a push event Slipway reads), 401 (unsigned or wrongly signed), 404 (no
 * such service), 413 (too large).
 */
public record WebhookAnswer(int status, String message) {
}
