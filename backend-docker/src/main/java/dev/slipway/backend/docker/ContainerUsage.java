package dev.slipway.backend.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.CpuStatsConfig;
import com.github.dockerjava.api.model.Statistics;
import dev.slipway.core.spi.InstanceUsage;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** What a container uses, from the engine's stats: vCPUs between its two samples, memory without page cache, the limit. */
final class ContainerUsage {
    private ContainerUsage() {
    }

    static Optional<InstanceUsage> of(DockerClient docker, String containerId) {
        Statistics[] got = new Statistics[1];
        try {
            docker.statsCmd(containerId).withNoStream(true).exec(new ResultCallback.Adapter<Statistics>() {
                @Override
                public void onNext(Statistics s) {
                    got[0] = s;
                }

                @Override
                public void onError(Throwable t) {
                    try {
                        close(); // gone meanwhile: no usage
                    } catch (IOException ignored) {
                        // closing anyway
                    }
                }
            }).awaitCompletion(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        Statistics s = got[0];
        if (s == null || s.getCpuStats() == null || s.getPreCpuStats() == null || s.getMemoryStats() == null) {
            return Optional.empty();
        }
        long cpu = cpuTotal(s.getCpuStats()) - cpuTotal(s.getPreCpuStats());
        long system = orZero(s.getCpuStats().getSystemCpuUsage()) - orZero(s.getPreCpuStats().getSystemCpuUsage());
        long cpus = s.getCpuStats().getOnlineCpus() != null ? s.getCpuStats().getOnlineCpus() : 1;
        long cache = s.getMemoryStats().getStats() == null ? 0 : orZero(s.getMemoryStats().getStats().getCache());
        return Optional.of(new InstanceUsage(system > 0 && cpu > 0 ? (double) cpu / system * cpus : 0,
                Math.max(0, orZero(s.getMemoryStats().getUsage()) - cache), orZero(s.getMemoryStats().getLimit())));
    }

    private static long cpuTotal(CpuStatsConfig stats) {
        return stats.getCpuUsage() == null ? 0 : orZero(stats.getCpuUsage().getTotalUsage());
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }
}
