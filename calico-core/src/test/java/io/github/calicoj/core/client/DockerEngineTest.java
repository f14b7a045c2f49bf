package io.github.calicoj.core.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

class DockerEngineTest {
  @Test
  void permissionDeniedIsAnEaccesOnConnectOrAFileSystemRefusal() {
    // What the JDK throws for EACCES on a Unix-socket connect (checked as a non-root user).
    assertThat(DockerEngine.permissionDenied(new BindException("Permission denied"))).isTrue();
    assertThat(DockerEngine.permissionDenied(new AccessDeniedException("/var/run/docker.sock")))
        .isTrue();

    assertThat(DockerEngine.permissionDenied(new BindException("Address already in use")))
        .isFalse();
    assertThat(DockerEngine.permissionDenied(new ConnectException("Connection refused"))).isFalse();
    assertThat(DockerEngine.permissionDenied(new NoSuchFileException("/var/run/docker.sock")))
        .isFalse();
    assertThat(DockerEngine.permissionDenied(new IOException())).isFalse();
  }
}
