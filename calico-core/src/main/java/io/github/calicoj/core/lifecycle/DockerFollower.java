package io.github.calicoj.core.lifecycle;

import static java.util.Objects.requireNonNull;

import io.github.calicoj.core.CalicoException;
import io.github.calicoj.core.client.CalicoClient;
import io.github.calicoj.core.client.DockerEngine;
import io.github.calicoj.core.client.DockerEvents;
import io.github.calicoj.core.internal.Durations;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.datastore.DatastoreException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows Docker's container events and keeps this host's Calico state in step: a container that is
 * destroyed (as by {@code docker rm -f}) while it has an endpoint loses its endpoint and IPs (one
 * transaction) and its veth; a container that starts again with an endpoint (as after {@code docker
 * restart}, which gives it a new network namespace) is re-plumbed with the same interface and IPs,
 * and its endpoint's MAC updated. Events missed while the follower was down are not replayed by
 * Docker, so on every (re)connection it first reconciles: it lists the containers once and treats
 * each endpoint's container as destroyed or started accordingly, then follows the events since the
 * listing.
 *
 * <p>One daemon thread of its own; {@link #close()} stops it and waits for it. Thread-safe. Borrows
 * the {@link CalicoClient}.
 */
public final class DockerFollower implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DockerFollower.class);

  /** What the follower did, for whoever wants to know (tests, logs, benchmarks). */
  public record Action(Kind kind, String containerId, long eventNanos) {
    /** What was done. */
    public enum Kind {
      /** The container was destroyed: its endpoint, IPs and veth removed. */
      REMOVED,
      /** The container started in a new namespace: re-plumbed. */
      RESTORED,
      /** A reaction failed (logged); the next reconcile tries again. */
      FAILED
    }
  }

  private final CalicoClient calico;
  private final DockerEngine docker;
  private final Duration backoff;
  private final Duration closeWait;
  private final Consumer<Action> actions;
  private final Thread thread;
  private final Object lock = new Object();
  private @Nullable DockerEvents stream; // guarded by lock
  private volatile boolean closed;

  private DockerFollower(Builder b) {
    this.calico = b.calico;
    this.docker = b.docker;
    this.backoff = b.backoff;
    this.closeWait = b.closeWait;
    this.actions = b.actions;
    this.thread = new Thread(this::run, "calicoj-docker-follower");
    thread.setDaemon(true);
  }

  /** A builder for a follower that acts through {@code calico}. */
  public static Builder builder(CalicoClient calico, DockerEngine docker) {
    return new Builder(calico, docker);
  }

  /** Starts following. */
  public DockerFollower start() {
    thread.start();
    return this;
  }

  private void run() {
    boolean warned = false; // one warning per outage, not one per retry
    while (!closed) {
      try {
        long since = System.currentTimeMillis() / 1000;
        DockerEvents events = new DockerEvents(docker, since);
        synchronized (lock) {
          if (closed) {
            events.close();
            return;
          }
          stream = events;
        }
        reconcile();
        warned = false;
        events.follow(this::react);
      } catch (RuntimeException e) {
        if (closed) {
          return;
        }
        if (warned) {
          LOG.debug("Docker events: {}; reconnecting in {}", e.getMessage(), backoff);
        } else {
          LOG.warn("Docker events: {}; reconnecting every {}", e.getMessage(), backoff);
          warned = true;
        }
      }
      sleep();
    }
  }

  /**
   * Lists the containers once and brings every Docker endpoint of this host in step: a container
   * that no longer exists is removed, a running one re-plumbed if its interface is gone.
   */
  public void reconcile() {
    Map<String, Boolean> containers = docker.containers();
    Set<String> ids = new LinkedHashSet<>();
    for (WorkloadEndpoint ep : calico.endpoints()) {
      if (ep.orchestratorId().equals("docker")) {
        ids.add(ep.workloadId());
      }
    }
    for (String id : ids) {
      if (closed) {
        return; // close() is waiting: the next start reconciles the rest
      }
      Boolean running = containers.get(id);
      if (running == null) {
        act(Action.Kind.REMOVED, id, 0);
      } else if (running) {
        act(Action.Kind.RESTORED, id, 0);
      }
    }
  }

  private void react(DockerEvents.Event e) {
    switch (e.action()) {
      case "destroy" -> {
        if (calico.endpoint(e.id()).isPresent()) {
          act(Action.Kind.REMOVED, e.id(), e.timeNanos());
        }
      }
      case "start" -> {
        if (calico.endpoint(e.id()).isPresent()) {
          act(Action.Kind.RESTORED, e.id(), e.timeNanos());
        }
      }
      default -> {
        // other events change nothing of Calico's
      }
    }
  }

  private void act(Action.Kind kind, String id, long eventNanos) {
    try {
      if (kind == Action.Kind.REMOVED) {
        calico.removeContainer(id);
      } else {
        calico.restoreContainer(id);
      }
      actions.accept(new Action(kind, id, eventNanos));
    } catch (CalicoException | DatastoreException e) {
      LOG.warn("Could not bring container {} in step: {}", id, e.getMessage());
      actions.accept(new Action(Action.Kind.FAILED, id, eventNanos));
    } catch (RuntimeException e) {
      LOG.warn("Could not bring container {} in step", id, e);
      actions.accept(new Action(Action.Kind.FAILED, id, eventNanos));
    }
  }

  private void sleep() {
    try {
      TimeUnit.NANOSECONDS.sleep(
          backoff.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0
              ? Long.MAX_VALUE
              : backoff.toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    }
  }

  /**
   * Stops following and waits for the thread to end: at once between reactions, else until the
   * reaction under way (a few bounded datastore, Docker and netlink calls) has finished, at most
   * the builder's {@link Builder#closeWait close wait}. Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    synchronized (lock) {
      if (stream != null) {
        stream.close();
      }
    }
    thread.interrupt();
    try {
      thread.join(closeWait.toMillis());
      if (thread.isAlive()) {
        LOG.warn("Docker follower still busy {} after close; leaving it to end", closeWait);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Configures a {@link DockerFollower}. Not thread-safe. */
  public static final class Builder {
    private final CalicoClient calico;
    private final DockerEngine docker;
    private Duration backoff = Duration.ofSeconds(1);
    private Duration closeWait = Duration.ofSeconds(30);
    private Consumer<Action> actions = a -> {};

    private Builder(CalicoClient calico, DockerEngine docker) {
      this.calico = requireNonNull(calico, "calico");
      this.docker = requireNonNull(docker, "docker");
    }

    /** How long to wait before reconnecting after the stream breaks. Default 1 s. */
    public Builder reconnectAfter(Duration backoff) {
      this.backoff = Durations.requirePositive(backoff, "backoff", "backoff");
      return this;
    }

    /**
     * How long {@link DockerFollower#close()} waits for a reaction under way to finish. Default 30
     * s; set it above the datastore's request timeout, so that a borrowed client is not closed
     * under a reaction.
     */
    public Builder closeWait(Duration wait) {
      this.closeWait = Durations.requirePositive(wait, "wait", "closeWait");
      return this;
    }

    /** Told of every action, on the follower's thread; must be quick and must not throw. */
    public Builder onAction(Consumer<Action> listener) {
      this.actions = requireNonNull(listener, "listener");
      return this;
    }

    /** Builds the follower; {@link DockerFollower#start()} starts it. */
    public DockerFollower build() {
      return new DockerFollower(this);
    }
  }
}
