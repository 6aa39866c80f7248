package dev.slipway.core.testing;

import java.net.http.HttpResponse;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/** A client that sends requests one after another, without pause, until stopped, and counts what came back. */
public final class ClientLoop implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger ok = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final Thread thread;

    private ClientLoop(Callable<HttpResponse<String>> request, Predicate<String> body) {
        thread = new Thread(() -> {
            while (running.get()) {
                try {
                    HttpResponse<String> r = request.call();
                    (r.statusCode() == 200 && body.test(r.body()) ? ok : failed).incrementAndGet();
                } catch (Exception e) {
                    failed.incrementAndGet(); // a connection error counts as a failed request
                }
            }
        }, "client-loop");
        thread.setDaemon(true);
    }

    /** Starts sending {@code request}; a 200 counts as answered, anything else (or an exception) as failed. */
    public static ClientLoop start(Callable<HttpResponse<String>> request) {
        return start(request, body -> true);
    }

    /** Starts sending {@code request}; a 200 whose body {@code body} accepts counts as answered, anything else as failed. */
    public static ClientLoop start(Callable<HttpResponse<String>> request, Predicate<String> body) {
        ClientLoop loop = new ClientLoop(request, body);
        loop.thread.start();
        return loop;
    }

    /** Requests answered 200 so far. */
    public int ok() {
        return ok.get();
    }

    /** Requests that failed so far. */
    public int failed() {
        return failed.get();
    }

    /** Stops after the request in flight. */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join();
    }
}
