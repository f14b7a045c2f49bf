package io.github.calicoj.datastore;

/** {@link Datastore#create} found the key already present. */
public class ResourceAlreadyExistsException extends DatastoreException {
  private static final long serialVersionUID = 1L;

  private final Revision actual;

  /** Creates the exception for {@code key}, which exists at {@code actual}. */
  public ResourceAlreadyExistsException(String operation, Key key, Revision actual) {
    super(
        operation + " " + key + " failed: key already exists (at revision " + actual + ")",
        key,
        null);
    this.actual = actual;
  }

  /** The revision of the existing entry. */
  public Revision actual() {
    return actual;
  }
}
