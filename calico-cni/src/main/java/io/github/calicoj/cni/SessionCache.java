package io.github.calicoj.cni;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link CniServer}'s warm sessions: one {@link CalicoSession} (etcd client, netlink sockets in
 * the host namespace) per distinct datastore, node and host namespace, shared by the requests that
 * name them, so that repeated ADDs reuse the etcd connection. At most {@code capacity} are kept;
 * the least recently used one beyond that is closed as soon as no request uses it. A session's key
 * includes the modification times of its TLS files and the identity (device and inode) of its host
 * namespace, so rotated certificates and a re-created namespace get a new session.
 *
 * <p>Thread-safe. Owns its sessions: {@link #close()} closes the idle ones at once and each one in
 * use when its request ends; a lease after that fails with {@link CniCode#TRY_AGAIN_LATER}.
 */
final class SessionCache implements SessionSource, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SessionCache.class);

  private final int capacity;
  private final Function<NetConf, CalicoSession> opener;

  /** In access order: the first is the least recently used. Guarded by {@code this}. */
  private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

  private boolean closed;

  /** A cache of at most {@code capacity} sessions that {@code opener} opens. */
  SessionCache(int capacity, Function<NetConf, CalicoSession> opener) {
    checkArgument(capacity >= 1, "capacity must be at least 1, not %s", capacity);
    this.capacity = capacity;
    this.opener = requireNonNull(opener, "opener");
  }

  /** A cache of real sessions ({@link CalicoSession#open}). */
  SessionCache(int capacity) {
    this(capacity, CalicoSession::open);
  }

  /**
   * What a session is for: the settings {@link CalicoSession#open} reads.
   *
   * @param etcd the endpoints, TLS files and their modification times, and the request timeout
   * @param nodename the Calico host name
   * @param hostNetns the host namespace's path and identity, or empty for the server's own
   */
  record Key(String etcd, String nodename, String hostNetns) {
    /** The key of {@code conf}. */
    static Key of(NetConf conf) {
      String etcd =
          String.join(
              "|",
              conf.etcdEndpoints,
              stamp(conf.etcdCaCertFile, "lastModifiedTime"),
              stamp(conf.etcdCertFile, "lastModifiedTime"),
              stamp(conf.etcdKeyFile, "lastModifiedTime"),
              String.valueOf(conf.etcdTimeout.toMillis()));
      Path ns = conf.hostNetns;
      String hostNetns = ns == null ? "" : stamp(ns, "unix:dev") + ":" + stamp(ns, "unix:ino");
      return new Key(etcd, conf.nodename(CalicoSession.kernelHostname()), hostNetns);
    }

    /** The file's path and attribute; a file that cannot be read gets none (open reports it). */
    private static String stamp(@Nullable Path file, String attribute) {
      if (file == null) {
        return "";
      }
      try {
        return file + "@" + Files.getAttribute(file, attribute, LinkOption.NOFOLLOW_LINKS);
      } catch (IOException | RuntimeException e) {
        return file + "@?";
      }
    }
  }

  /** A cached session and its users. Guarded by the cache. */
  private static final class Entry {
    final CalicoSession session;
    int users;
    boolean retired;

    Entry(CalicoSession session) {
      this.session = session;
    }
  }

  @Override
  public Lease lease(NetConf conf) {
    Key key = Key.of(conf);
    List<CalicoSession> evicted = new ArrayList<>();
    Entry e;
    synchronized (this) {
      if (closed) {
        throw new CniException(CniCode.TRY_AGAIN_LATER, "The CNI server is shutting down");
      }
      e = entries.get(key);
      if (e == null) {
        // Opening makes no request (the etcd client connects on first use): only the TLS files are
        // read, so holding the lock for it is short.
        e = new Entry(opener.apply(conf));
        entries.put(key, e);
        LOG.debug("Opened a session for {}", key);
        evict(evicted);
      }
      e.users++;
    }
    closeAll(evicted);
    Entry entry = e;
    AtomicBoolean released = new AtomicBoolean();
    return new Lease() {
      @Override
      public CalicoSession session() {
        return entry.session;
      }

      @Override
      public void close() {
        if (released.compareAndSet(false, true)) {
          release(entry);
        }
      }
    };
  }

  /** Retires the least recently used sessions beyond the capacity. Holds the lock. */
  private void evict(List<CalicoSession> toClose) {
    Iterator<Map.Entry<Key, Entry>> it = entries.entrySet().iterator();
    while (entries.size() > capacity && it.hasNext()) {
      Entry old = it.next().getValue();
      it.remove();
      retire(old, toClose);
    }
  }

  /** Closes {@code e} now if nobody uses it, else when its last user is done. Holds the lock. */
  private static void retire(Entry e, List<CalicoSession> toClose) {
    e.retired = true;
    if (e.users == 0) {
      toClose.add(e.session);
    }
  }

  private void release(Entry e) {
    boolean close;
    synchronized (this) {
      e.users--;
      close = e.retired && e.users == 0;
    }
    if (close) {
      e.session.close();
    }
  }

  private static void closeAll(List<CalicoSession> sessions) {
    for (CalicoSession s : sessions) {
      try {
        s.close();
      } catch (RuntimeException e) {
        LOG.warn("Closing a session failed", e);
      }
    }
  }

  /** How many sessions are cached (retired ones in use not counted). */
  synchronized int size() {
    return entries.size();
  }

  /** Closes every session (one in use when its request ends). Idempotent; never throws. */
  @Override
  public void close() {
    List<CalicoSession> toClose = new ArrayList<>();
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      entries.values().forEach(e -> retire(e, toClose));
      entries.clear();
    }
    closeAll(toClose);
  }
}
