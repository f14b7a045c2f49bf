package io.github.calicoj.core;

/**
 * A profile to append is already in the endpoint's list; nothing was written. Reason {@link
 * Reason#PROFILE_ALREADY_IN_ENDPOINT}.
 */
public class ProfileAlreadyInEndpointException extends AlreadyExistsException {
  private static final long serialVersionUID = 1L;

  private final String profile;

  /** Creates the exception; the message is the reference's. */
  public ProfileAlreadyInEndpointException(String profile) {
    super(
        Reason.PROFILE_ALREADY_IN_ENDPOINT,
        "Profile " + profile + " is already in endpoint profile list");
    this.profile = profile;
  }

  /** The profile that was already there. */
  public String profile() {
    return profile;
  }
}
