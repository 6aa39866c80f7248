package dev.slipway.backend.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import dev.slipway.core.spi.BackendContext;
import dev.slipway.core.spi.ComputeBackend;
import dev.slipway.core.spi.ComputeBackendProvider;
import java.time.Duration;

/**
 * Provides the {@code docker} backend: instances are containers on the Docker engine that {@code DOCKER_HOST} names
 * (default {@code unix:///var/run/docker.sock}), or the backend setting {@code docker.host}.
 */
public final class DockerBackendProvider implements ComputeBackendProvider {
    @Override
    public String name() {
        return "docker";
    }

    @Override
    public ComputeBackend create(BackendContext context) {
        return new DockerBackend(connect(context.settings()), context.settings(),
                context.durable() ? java.util.Optional.of(context.workDir()) : java.util.Optional.empty());
    }

    /** A client of the engine {@code DOCKER_HOST} or the setting {@code docker.host} names, checked to answer. */
    public static DockerClient connect(java.util.Map<String, String> settings) {
        DefaultDockerClientConfig.Builder config = DefaultDockerClientConfig.createDefaultConfigBuilder();
        java.util.Optional.ofNullable(settings.get("docker.host")).ifPresent(config::withDockerHost);
        DefaultDockerClientConfig built = config.build();
        DockerClient docker = DockerClientImpl.getInstance(built, new ZerodepDockerHttpClient.Builder()
                .dockerHost(built.getDockerHost()).sslConfig(built.getSSLConfig())
                .connectionTimeout(Duration.ofSeconds(10)).responseTimeout(Duration.ofMinutes(30)).build());
        try {
            docker.pingCmd().exec();
        } catch (RuntimeException e) {
            throw new IllegalStateException("No Docker engine answers at " + built.getDockerHost() + " (" + e.getMessage()
                    + "). Start one (e.g. dockerd --bridge=none --iptables=false), or point DOCKER_HOST at it.", e);
        }
        return docker;
    }
}
