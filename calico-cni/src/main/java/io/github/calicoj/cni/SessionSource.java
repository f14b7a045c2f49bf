package io.github.calicoj.cni;

/**
 * Where an invocation gets the {@link CalicoSession} it runs on: the standalone plugin opens one
 * and closes it at the end ({@link #OPEN_PER_CALL}); the {@link CniServer} lends a warm one from
 * its {@link SessionCache}. Implementations are thread-safe.
 */
interface SessionSource {
  /** A new session for each invocation, closed when it ends. */
  SessionSource OPEN_PER_CALL =
      conf -> {
        CalicoSession s = CalicoSession.open(conf);
        return new Lease() {
          @Override
          public CalicoSession session() {
            return s;
          }

          @Override
          public void close() {
            s.close();
          }
        };
      };

  /**
   * A session for {@code conf}'s datastore, node and host namespace, held until the lease is
   * closed.
   *
   * @throws CniException ({@link CniCode#INVALID_CONFIG}) for bad etcd settings
   */
  Lease lease(NetConf conf);

  /** A session in use; {@link #close()} ends the use (and closes the session if it is not kept). */
  interface Lease extends AutoCloseable {
    /** The session. */
    CalicoSession session();

    /** Ends the use. Idempotent; never throws. */
    @Override
    void close();
  }
}
