package io.github.calicoj.datastore;

import org.jspecify.annotations.Nullable;

/** The requested revision is older than the store's compaction point; re-list instead. */
public class RevisionCompactedException extends DatastoreException {
  private static final long serialVersionUID = 1L;

  private final Revision compactRevision;

  /** Creates the exception; {@code compactRevision} is the oldest revision still kept. */
  public RevisionCompactedException(
      String operation, @Nullable Key key, Revision compactRevision, @Nullable Throwable cause) {
    super(
        operation
            + (key == null ? "" : " " + key)
            + " failed: revision compacted (oldest kept is "
            + compactRevision
            + ")",
        key,
        cause);
    this.compactRevision = compactRevision;
  }

  /** The oldest revision the store still keeps. */
  public Revision compactRevision() {
    return compactRevision;
  }
}
