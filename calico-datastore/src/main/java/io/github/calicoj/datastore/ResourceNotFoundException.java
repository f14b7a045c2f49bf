package io.github.calicoj.datastore;

/** The operation needed a key that does not exist. */
public class ResourceNotFoundException extends DatastoreException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception for {@code key}; {@code operation} names what was attempted. */
  public ResourceNotFoundException(String operation, Key key) {
    super(operation + " " + key + " failed: key not found", key, null);
  }
}
