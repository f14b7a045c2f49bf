package io.github.calicoj.datastore;

/**
 * A compare-and-set lost: the key exists, but was last written at another revision than the caller
 * expected. Re-read the key and retry.
 */
public class RevisionConflictException extends DatastoreException {
  private static final long serialVersionUID = 1L;

  private final Revision expected;
  private final Revision actual;

  /** Creates the exception for {@code key}. */
  public RevisionConflictException(String operation, Key key, Revision expected, Revision actual) {
    super(
        operation
            + " "
            + key
            + " failed: revision conflict (expected "
            + expected
            + ", actual "
            + actual
            + ")",
        key,
        null);
    this.expected = expected;
    this.actual = actual;
  }

  /** The revision the caller expected. */
  public Revision expected() {
    return expected;
  }

  /** The key's revision in the store when the comparison failed. */
  public Revision actual() {
    return actual;
  }
}
