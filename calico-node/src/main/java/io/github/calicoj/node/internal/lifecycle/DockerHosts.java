package io.github.calicoj.node.internal.lifecycle;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Which Docker daemon the agent talks to, and where its socket is; read as core's client does. */
final class DockerHosts {
  /** The daemon's usual socket. */
  static final String DEFAULT = "unix:///var/run/docker.sock";

  private DockerHosts() {}

  /** The configured daemon, else {@code DOCKER_HOST} if set, else {@link #DEFAULT}. */
  static String resolve(@Nullable String configured, Map<String, String> env) {
    if (configured != null) {
      return configured;
    }
    String fromEnv = env.get("DOCKER_HOST");
    return fromEnv == null || fromEnv.isBlank() ? DEFAULT : fromEnv.trim();
  }

  /**
   * The socket of a unix daemon address ({@code unix:///var/run/docker.sock} or a bare path), or
   * empty for another scheme such as {@code tcp://}, which the agent does not speak.
   */
  static Optional<Path> socket(String dockerHost) {
    String h = dockerHost.trim();
    if (h.startsWith("unix://")) {
      h = h.substring("unix://".length());
    } else if (h.contains("://")) {
      return Optional.empty();
    }
    return Optional.of(Path.of(h.startsWith("/") ? h : "/" + h));
  }
}
