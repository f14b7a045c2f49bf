package io.github.calicoj.core.client;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.github.calicoj.core.ipam.IpOwner;
import io.github.calicoj.core.model.Names;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Options of {@link CalicoClient#addWorkload}: the profiles the endpoint starts with (written in
 * the same transaction as the endpoint, so it is never visible without them), the IPAM owner of its
 * addresses (default: the handle {@code calicoj.<host>.<orchestrator>.<workload>}), and the veth's
 * MTU (0: the kernel's default). Immutable; start from {@link #DEFAULT}.
 *
 * @param profiles the endpoint's profile ids, in order; each must exist
 * @param owner the addresses' IPAM owner, or null for the default
 * @param mtu the MTU of both ends of the veth, 68 to 65535, or 0 for the kernel's default
 */
public record AddOptions(List<String> profiles, @Nullable IpOwner owner, int mtu) {

  /** No profiles, the default owner, the default MTU. */
  public static final AddOptions DEFAULT = new AddOptions(List.of(), null, 0);

  /** Copies and checks the profile names and the MTU. */
  public AddOptions {
    profiles = List.copyOf(profiles);
    profiles.forEach(Names::checkProfileName);
    checkArgument(mtu == 0 || (mtu >= 68 && mtu <= 65535), "MTU must be 68 to 65535: %s", mtu);
  }

  /** These options with the endpoint starting in {@code profiles}. */
  public AddOptions withProfiles(List<String> profiles) {
    return new AddOptions(profiles, owner, mtu);
  }

  /** These options with the addresses owned by {@code owner}. */
  public AddOptions withOwner(IpOwner owner) {
    return new AddOptions(profiles, requireNonNull(owner, "owner"), mtu);
  }

  /** These options with the veth's MTU (both ends). */
  public AddOptions withMtu(int mtu) {
    return new AddOptions(profiles, owner, mtu);
  }
}
