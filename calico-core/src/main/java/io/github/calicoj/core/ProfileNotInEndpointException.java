package io.github.calicoj.core;

/**
 * A profile to remove is not in the endpoint's list; nothing was written. Reason {@link
 * Reason#PROFILE_NOT_IN_ENDPOINT}.
 */
public class ProfileNotInEndpointException extends NotFoundException {
  private static final long serialVersionUID = 1L;

  private final String profile;

  /** Creates the exception; the message is the reference's. */
  public ProfileNotInEndpointException(String profile) {
    super(
        Reason.PROFILE_NOT_IN_ENDPOINT, "Profile " + profile + " is not in endpoint profile list.");
    this.profile = profile;
  }

  /** The profile that was missing. */
  public String profile() {
    return profile;
  }
}
