package dev.slipway.backend.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.PushResponseItem;
import dev.slipway.core.build.BuildFailedException;
import dev.slipway.core.spi.BuildCancelledException;
import dev.slipway.core.spi.BuildListener;
import dev.slipway.core.spi.RegistryLogin;
import dev.slipway.core.spi.RevisionSource;
import dev.slipway.core.spi.RevisionSpec;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The Docker backend's image build, for backends that run images elsewhere (Kubernetes): a source revision is built
 * into an image on a Docker engine ({@code docker.host}, base images from {@code docker.base-image.<runtime>}) and
 * pushed to a registry the cluster pulls from. The engine is connected on first use.
 */
public final class DockerImageBuilder implements AutoCloseable {
    private final Map<String, String> settings;
    private DockerClient docker;

    public DockerImageBuilder(Map<String, String> settings) {
        this.settings = Map.copyOf(settings);
    }

    /** Removes a deleted service's build cache (if this builder ever connected: otherwise it made none). */
    public synchronized void forgetService(String serviceId) {
        if (docker != null) {
            DockerImageBuild.dropCache(docker, serviceId);
        }
    }

    private synchronized DockerClient docker() {
        if (docker == null) {
            docker = DockerBackendProvider.connect(settings);
        }
        return docker;
    }

    /**
     * Builds a source revision, tags it {@code target} and pushes it; returns the pushed image by digest
     * ({@code <repository>@sha256:...}). The local image is removed once pushed.
     */
    public String buildAndPush(RevisionSpec spec, RevisionSource.Build source, String target, Optional<RegistryLogin> login,
                               BuildListener listener) throws BuildFailedException {
        DockerImages images = new DockerImages(docker(), settings);
        String local = images.buildImage(spec, source, listener);
        String repository = DockerImages.repository(target);
        String tag = target.substring(repository.length() + 1);
        try {
            docker().tagImageCmd(local, repository, tag).exec();
            listener.output("Pushing " + target);
            String digest = push(repository, tag, login, listener);
            listener.output("Pushed " + repository + "@" + digest);
            return repository + "@" + digest;
        } finally {
            removeQuietly(local);
            removeQuietly(target);
        }
    }

    private String push(String repository, String tag, Optional<RegistryLogin> login, BuildListener listener)
            throws BuildFailedException {
        Map<String, String> lastStatus = new HashMap<>();
        String[] digest = new String[1];
        String[] error = new String[1];
        try {
            var push = docker().pushImageCmd(repository).withTag(tag);
            login.ifPresent(l -> push.withAuthConfig(new AuthConfig().withUsername(l.username()).withPassword(l.password())
                    .withRegistryAddress(DockerImages.registry(repository))));
            push.exec(new ResultCallback.Adapter<PushResponseItem>() {
                @Override
                public void onNext(PushResponseItem item) {
                    if (item.getErrorDetail() != null || item.getError() != null) {
                        error[0] = item.getErrorDetail() != null ? item.getErrorDetail().getMessage() : item.getError();
                    }
                    if (item.getAux() != null && item.getAux().getDigest() != null) {
                        digest[0] = item.getAux().getDigest();
                    }
                    String status = item.getStatus();
                    if (status != null && !status.equals(lastStatus.put(String.valueOf(item.getId()), status))) {
                        listener.output("[push] " + (item.getId() == null ? "" : item.getId() + ": ") + status);
                    }
                }

                @Override
                public void onError(Throwable t) {
                    error[0] = DockerImages.firstLine(t.getMessage());
                    try {
                        close();
                    } catch (IOException ignored) {
                        // closing anyway
                    }
                }
            }).awaitCompletion();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildCancelledException("the push of " + repository + ":" + tag + " was cancelled");
        } catch (DockerException e) {
            error[0] = DockerImages.firstLine(e.getMessage());
        }
        if (error[0] != null || digest[0] == null) {
            throw new BuildFailedException("cannot push " + repository + ":" + tag + ": "
                    + (error[0] != null ? error[0] : "the registry gave no digest"));
        }
        return digest[0];
    }

    private void removeQuietly(String image) {
        try {
            docker().removeImageCmd(image).withForce(true).exec();
        } catch (DockerException e) {
            // gone already, or still used: the engine's cache keeps it
        }
    }

    @Override
    public synchronized void close() {
        if (docker != null) {
            try {
                docker.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
