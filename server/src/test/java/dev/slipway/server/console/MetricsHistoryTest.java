package dev.slipway.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The console's history of a service's meters: what each interval adds, latency percentiles, and a deleted service's end. */
class MetricsHistoryTest {
    @Test
    void eachSampleHoldsWhatTheIntervalAddedAndAGoneServiceIsForgotten() {
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Counter requests = Counter.builder("apprunner.Requests").tag("service", "web").register(meters);
        Counter ok = Counter.builder("apprunner.2xxStatusResponses").tag("service", "web").register(meters);
        Counter failed = Counter.builder("apprunner.5xxStatusResponses").tag("service", "web").register(meters);
        Timer latency = Timer.builder("apprunner.RequestLatency").tag("service", "web").publishPercentileHistogram().register(meters);
        AtomicInteger instances = new AtomicInteger(2);
        Gauge.builder("apprunner.ActiveInstances", instances, AtomicInteger::get).tag("service", "web").register(meters);
        try (MetricsHistory history = new MetricsHistory(meters)) {
            requests.increment(5);
            history.sample();
            assertThat(history.of("web")).as("a service's first sample counts from its meters' start").singleElement()
                    .satisfies(s -> assertThat(s.requests()).isEqualTo(5));
            requests.increment(10);
            ok.increment(9);
            failed.increment();
            for (int i = 0; i < 99; i++) {
                latency.record(Duration.ofMillis(10));
            }
            latency.record(Duration.ofMillis(900));
            history.sample();

            assertThat(history.of("web")).hasSize(2);
            MetricsHistory.Sample last = history.of("web").get(1);
            assertThat(last.requests()).isEqualTo(10);
            assertThat(last.ok2xx()).isEqualTo(9);
            assertThat(last.server5xx()).isEqualTo(1);
            assertThat(last.client4xx()).isZero();
            assertThat(last.instances()).isEqualTo(2);
            assertThat(last.p50()).as("the bucket holding 10 ms").isBetween(10.0, 12.0);
            assertThat(last.p99()).isBetween(10.0, 1000.0);
            assertThat(last.json().toString()).contains("\"requests\":10.0").contains("\"cpu\":null");
            assertThat(history.requestsPerMinute("web")).isEqualTo(15);

            meters.remove(requests);
            history.sample();
            assertThat(history.of("web")).isEmpty();
        }
    }
}
