package io.github.calicoj.core.client;

import static java.util.Objects.requireNonNull;

import io.github.calicoj.core.ipam.IpOwner;
import io.github.calicoj.core.model.Names;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Options of {@link CalicoClient#addWorkload}: the profiles the endpoint starts with (written in
 * the same transaction as the endpoint, so it is never visible without them), and the IPAM owner of
 * its addresses (default: the handle {@code calicoj.<host>.<orchestrator>.<workload>}). Immutable;
 * start from {@link #DEFAULT}.
 *
 * @param profiles the endpoint's profile ids, in order; each must exist
 * @param owner the addresses' IPAM owner, or null for the default
 */
public record AddOptions(List<String> profiles, @Nullable IpOwner owner) {

  /** No profiles, the default owner. */
  public static final AddOptions DEFAULT = new AddOptions(List.of(), null);

  /** Copies and checks the profile names. */
  public AddOptions {
    profiles = List.copyOf(profiles);
    profiles.forEach(Names::checkProfileName);
  }

  /** These options with the endpoint starting in {@code profiles}. */
  public AddOptions withProfiles(List<String> profiles) {
    return new AddOptions(profiles, owner);
  }

  /** These options with the addresses owned by {@code owner}. */
  public AddOptions withOwner(IpOwner owner) {
    return new AddOptions(profiles, requireNonNull(owner, "owner"));
  }
}
