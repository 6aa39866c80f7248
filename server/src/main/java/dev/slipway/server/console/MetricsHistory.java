package dev.slipway.server.console;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A short history of each service's meters, for the console's charts: every {@link #INTERVAL_SECONDS} s, from the same
 * meters {@code /metrics} serves (App Runner's names), the requests and 2xx/4xx/5xx responses in the interval, the
 * request latency's p50 and p99 (from the latency histogram's recent window), the active instances, and the instances'
 * mean CPU and memory utilization. The last {@link #KEPT} samples (ten minutes) are kept, in memory only.
 */
final class MetricsHistory implements AutoCloseable {
    static final int INTERVAL_SECONDS = 5;
    static final int KEPT = 120;

    /** One interval of one service. Latencies in milliseconds (NaN: no request); utilizations in percent (NaN: unknown). */
    record Sample(long time, double requests, double ok2xx, double client4xx, double server5xx, double p50, double p99,
                  double instances, double cpu, double memory) {
        /** As JSON for the page's charts (null where there is no value). */
        com.fasterxml.jackson.databind.node.ObjectNode json() {
            var o = dev.slipway.core.model.Shapes.mapper().createObjectNode().put("time", time);
            String[] names = {"requests", "ok2xx", "client4xx", "server5xx", "p50", "p99", "instances", "cpu", "memory"};
            double[] values = {requests, ok2xx, client4xx, server5xx, p50, p99, instances, cpu, memory};
            for (int i = 0; i < names.length; i++) {
                if (Double.isNaN(values[i])) {
                    o.putNull(names[i]);
                } else {
                    o.put(names[i], Math.round(values[i] * 100) / 100.0);
                }
            }
            return o;
        }
    }

    private final MeterRegistry meters;
    private final Map<String, ArrayDeque<Sample>> history = new ConcurrentHashMap<>();
    private final Map<String, double[]> lastCounts = new HashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "slipway-console-metrics");
        t.setDaemon(true);
        return t;
    });

    MetricsHistory(MeterRegistry meters) {
        this.meters = meters;
        timer.scheduleAtFixedRate(() -> {
            try {
                sample();
            } catch (RuntimeException e) { // the next interval tries again
                org.slf4j.LoggerFactory.getLogger(MetricsHistory.class).warn("the console's metrics sample failed", e);
            }
        }, INTERVAL_SECONDS, INTERVAL_SECONDS, TimeUnit.SECONDS);
    }

    /** The samples of {@code service}, oldest first. */
    List<Sample> of(String service) {
        ArrayDeque<Sample> h = history.get(service);
        if (h == null) {
            return List.of();
        }
        synchronized (h) {
            return List.copyOf(h);
        }
    }

    /** Requests in the last minute (the last twelve samples). */
    double requestsPerMinute(String service) {
        List<Sample> h = of(service);
        return h.subList(Math.max(0, h.size() - 60 / INTERVAL_SECONDS), h.size()).stream().mapToDouble(Sample::requests).sum();
    }

    synchronized void sample() {
        long now = Instant.now().getEpochSecond();
        Map<String, Boolean> seen = new HashMap<>();
        for (Counter c : meters.find("apprunner.Requests").counters()) {
            String service = c.getId().getTag("service");
            if (service == null) {
                continue;
            }
            seen.put(service, true);
            double[] counts = {c.count(), count("apprunner.2xxStatusResponses", service), count("apprunner.4xxStatusResponses", service),
                    count("apprunner.5xxStatusResponses", service)};
            double[] before = lastCounts.getOrDefault(service, new double[counts.length]); // a new service's counters start at 0
            lastCounts.put(service, counts);
            double[] latency = latency(service);
            Sample s = new Sample(now, Math.max(0, counts[0] - before[0]), Math.max(0, counts[1] - before[1]),
                    Math.max(0, counts[2] - before[2]), Math.max(0, counts[3] - before[3]), latency[0], latency[1],
                    gauge("apprunner.ActiveInstances", service), mean("apprunner.CPUUtilization", service),
                    mean("apprunner.MemoryUtilization", service));
            ArrayDeque<Sample> h = history.computeIfAbsent(service, k -> new ArrayDeque<>());
            synchronized (h) {
                h.addLast(s);
                while (h.size() > KEPT) {
                    h.removeFirst();
                }
            }
        }
        history.keySet().removeIf(service -> !seen.containsKey(service)); // a deleted service's history goes with it
        lastCounts.keySet().removeIf(service -> !seen.containsKey(service));
    }

    private double count(String name, String service) {
        Counter c = meters.find(name).tag("service", service).counter();
        return c == null ? 0 : c.count();
    }

    private double gauge(String name, String service) {
        Gauge g = meters.find(name).tag("service", service).gauge();
        return g == null ? Double.NaN : g.value();
    }

    private double mean(String name, String service) {
        return meters.find(name).tag("service", service).gauges().stream().mapToDouble(Gauge::value).filter(v -> !Double.isNaN(v))
                .average().orElse(Double.NaN);
    }

    /** p50 and p99 in milliseconds from the latency histogram's recent window: the bucket each falls in (its upper bound). */
    private double[] latency(String service) {
        Timer t = meters.find("apprunner.RequestLatency").tag("service", service).timer();
        if (t == null) {
            return new double[] {Double.NaN, Double.NaN};
        }
        HistogramSnapshot snapshot = t.takeSnapshot();
        CountAtBucket[] buckets = snapshot.histogramCounts();
        double total = 0;
        for (CountAtBucket b : buckets) {
            total = Math.max(total, b.count()); // cumulative counts: the last bucket holds them all
        }
        return new double[] {percentile(buckets, total, 0.5), percentile(buckets, total, 0.99)};
    }

    private static double percentile(CountAtBucket[] buckets, double total, double q) {
        if (total == 0) {
            return Double.NaN;
        }
        for (CountAtBucket b : buckets) {
            if (b.count() >= q * total) {
                return b.bucket(TimeUnit.MILLISECONDS);
            }
        }
        return Double.NaN;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
