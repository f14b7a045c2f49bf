package io.github.calicoj.core;

/** A profile to remove is not in the endpoint's list; nothing was written. */
public class ProfileNotInEndpointException extends CalicoException {
  private static final long serialVersionUID = 1L;

  private final String profile;

  /** Creates the exception; the message is the reference's. */
  public ProfileNotInEndpointException(String profile) {
    super("Profile " + profile + " is not in endpoint profile list.");
    this.profile = profile;
  }

  /** The profile that was missing. */
  public String profile() {
    return profile;
  }
}
