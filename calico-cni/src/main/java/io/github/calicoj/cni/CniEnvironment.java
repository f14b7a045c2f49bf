package io.github.calicoj.cni;

import static java.util.Objects.requireNonNull;

import io.github.calicoj.netns.InterfaceName;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The {@code CNI_*} environment of one invocation, checked. Immutable.
 *
 * @param command {@code CNI_COMMAND}
 * @param containerId {@code CNI_CONTAINERID}; empty only for VERSION
 * @param netns {@code CNI_NETNS}; empty when the runtime has none (DEL of a gone container)
 * @param ifname {@code CNI_IFNAME}, or null when DEL or VERSION gets none
 * @param args {@code CNI_ARGS}, parsed
 */
record CniEnvironment(
    CniCommand command,
    String containerId,
    String netns,
    @Nullable InterfaceName ifname,
    CniArgs args) {

  /**
   * The spec's container id: an alphanumeric, then alphanumerics, {@code _}, {@code .}, {@code -}.
   */
  private static final Pattern CONTAINER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.\\-]*");

  /** Rejects nulls. */
  CniEnvironment {
    requireNonNull(command, "command");
    requireNonNull(containerId, "containerId");
    requireNonNull(netns, "netns");
    requireNonNull(args, "args");
  }

  /**
   * Reads and checks the variables {@code command} needs: ADD and CHECK need all of {@code
   * CNI_CONTAINERID}, {@code CNI_NETNS} and {@code CNI_IFNAME}; DEL needs the container id (a
   * namespace and interface are used if given); VERSION needs nothing.
   *
   * @throws CniException ({@link CniCode#INVALID_ENVIRONMENT}) naming the missing or bad variable
   */
  static CniEnvironment from(Map<String, String> env) {
    String cmd = env.getOrDefault("CNI_COMMAND", "").trim();
    CniCommand command;
    try {
      command = CniCommand.valueOf(cmd);
    } catch (IllegalArgumentException e) {
      throw new CniException(
          CniCode.INVALID_ENVIRONMENT,
          cmd.isEmpty()
              ? "CNI_COMMAND is not set"
              : "CNI_COMMAND=" + cmd + " is not one of ADD, DEL, CHECK, VERSION");
    }
    if (command == CniCommand.VERSION) {
      return new CniEnvironment(command, "", "", null, CniArgs.NONE);
    }
    boolean full = command != CniCommand.DEL;
    String id = required(env, "CNI_CONTAINERID", true);
    if (!CONTAINER_ID.matcher(id).matches()) {
      throw new CniException(
          CniCode.INVALID_ENVIRONMENT,
          "CNI_CONTAINERID=" + id + " is not a container id ([A-Za-z0-9][A-Za-z0-9_.-]*)");
    }
    String netns = required(env, "CNI_NETNS", full);
    if (!netns.isEmpty() && !netns.startsWith("/")) {
      throw new CniException(
          CniCode.INVALID_ENVIRONMENT, "CNI_NETNS=" + netns + " is not an absolute path");
    }
    String ifname = required(env, "CNI_IFNAME", full);
    InterfaceName iface = null;
    if (!ifname.isEmpty()) {
      try {
        iface = InterfaceName.of(ifname);
      } catch (IllegalArgumentException e) {
        throw new CniException(
            CniCode.INVALID_ENVIRONMENT, "CNI_IFNAME=" + ifname + ": " + e.getMessage());
      }
    }
    return new CniEnvironment(
        command, id, netns, iface, CniArgs.parse(env.getOrDefault("CNI_ARGS", "")));
  }

  private static String required(Map<String, String> env, String name, boolean required) {
    String v = env.getOrDefault(name, "").trim();
    if (v.isEmpty() && required) {
      throw new CniException(CniCode.INVALID_ENVIRONMENT, name + " is not set");
    }
    return v;
  }

  /** {@code CNI_IFNAME}, which ADD and CHECK always have. */
  InterfaceName requireIfname() {
    if (ifname == null) {
      throw new IllegalStateException("CNI_IFNAME was not checked for " + command);
    }
    return ifname;
  }
}
