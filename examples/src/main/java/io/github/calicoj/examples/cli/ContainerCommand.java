package io.github.calicoj.examples.cli;

import static io.github.calicoj.examples.cli.Messages.echo;

import io.github.calicoj.core.AlreadyExistsException;
import io.github.calicoj.core.CalicoException.Reason;
import io.github.calicoj.core.NotFoundException;
import io.github.calicoj.core.ProfileAlreadyInEndpointException;
import io.github.calicoj.core.ProfileNotInEndpointException;
import io.github.calicoj.core.client.CalicoClient;
import io.github.calicoj.core.client.IpRequest;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.netns.NetnsSupport;
import java.util.List;
import java.util.Optional;

/**
 * {@code calicoctl container}: adds and removes containers (Docker containers by name or id, or
 * network namespaces by path), their addresses, and the profiles of their endpoints. Every form
 * needs root.
 */
final class ContainerCommand extends Command {
  private static final String ADD = "container add <CONTAINER> <IP> [--interface=<INTERFACE>]";
  private static final String REMOVE = "container remove <CONTAINER>";
  private static final String IP =
      "container <CONTAINER> ip (add|remove) <IP> [--interface=<INTERFACE>]";
  private static final String ENDPOINT = "container <CONTAINER> endpoint show";
  private static final String PROFILE =
      "container <CONTAINER> profile (append|remove|set) [<PROFILES>...]";
  private static final String INTERFACE = "--interface";

  ContainerCommand() {
    super(
        "container",
        "Configure containers and their addresses",
        List.of(ADD, REMOVE, IP, ENDPOINT, PROFILE),
        List.of(
            new Option(
                "--interface=<INTERFACE>",
                "The interface inside the container [default: "
                    + CalicoClient.DEFAULT_INTERFACE
                    + "]")));
  }

  @Override
  String notes() {
    return """
        <CONTAINER> is a Docker container's name or id, or a network namespace's path.
        <IP> is an address; ipv4 or ipv6 for the next free address; or a pool's CIDR for the
        next free address of that pool. Container commands need root.""";
  }

  @Override
  int run(Args a, Cli cli) {
    String first = a.next("<CONTAINER>, add or remove");
    cli.enforceRoot();
    preloadNetns();
    switch (first) {
      case "add" -> {
        a.form(ADD);
        String container = a.next("<CONTAINER>");
        String ip = a.next("<IP>");
        String iface = a.optionOr(INTERFACE, CalicoClient.DEFAULT_INTERFACE);
        a.done();
        checkIpArgument(cli, ip);
        WorkloadEndpoint ep;
        try {
          ep = cli.client().addContainer(container, ip, iface);
        } catch (AlreadyExistsException e) {
          if (e.reason() != Reason.ALREADY_CONFIGURED) {
            throw e;
          }
          throw new CliException(
              echo(container) + " has already been configured with Calico Networking.");
        }
        cli.print("IP " + ep.nets().get(0).address().getHostAddress() + " added to " + container);
        return 0;
      }
      case "remove" -> {
        a.form(REMOVE);
        String container = a.next("<CONTAINER>");
        a.done();
        try {
          cli.client().removeContainer(container);
          cli.print("Removed Calico from " + container);
        } catch (NotFoundException e) {
          if (e.reason() != Reason.WORKLOAD_NOT_CONFIGURED) {
            throw e;
          }
          cli.print("Failed find Calico data for " + echo(container));
        }
        return 0;
      }
      default -> {
        return ofContainer(first, a, cli);
      }
    }
  }

  /**
   * Loads the namespace layer (jnr-ffi's binding of libc, one of the largest parts of a container
   * command's start-up) on another thread while this one sets up the etcd client; the first
   * namespace operation then finds it loaded, or waits for the rest (about 10 ms less wall time per
   * command on an idle 2-core machine). A failure is left for that operation to report.
   */
  private static void preloadNetns() {
    Thread t = new Thread(NetnsSupport::isAvailable, "calicoctl-netns-preload");
    t.setDaemon(true);
    t.start();
  }

  /** {@code container <CONTAINER> (ip|endpoint|profile) ...}. */
  private int ofContainer(String container, Args a, Cli cli) {
    String what = a.next("ip, endpoint or profile");
    switch (what) {
      case "ip" -> {
        a.form(IP);
        String verb = a.next("add or remove");
        String ip = a.next("<IP>");
        String iface = a.optionOr(INTERFACE, CalicoClient.DEFAULT_INTERFACE);
        a.done();
        switch (verb) {
          case "add" -> addIp(cli, container, ip, iface);
          case "remove" -> removeIp(cli, container, ip, iface);
          default -> throw a.usage("Unknown ip command " + echo(verb) + ".");
        }
        return 0;
      }
      case "endpoint" -> {
        a.form(ENDPOINT);
        String verb = a.next("show");
        a.done();
        if (!verb.equals("show")) {
          throw a.usage("Unknown endpoint command " + echo(verb) + ".");
        }
        Optional<WorkloadEndpoint> ep = cli.client().endpoint(container);
        if (ep.isEmpty()) {
          throw new CliException("Container " + echo(container) + " is unknown to Calico.");
        }
        cli.print(EndpointTable.detailed(List.of(ep.get())).toString());
        return 0;
      }
      case "profile" -> {
        a.form(PROFILE);
        String verb = a.next("append, remove or set");
        List<String> profiles = a.rest();
        return profiles(cli, container, verb, profiles, a);
      }
      default -> throw a.usage("Unknown container command " + echo(what) + ".");
    }
  }

  private static void addIp(Cli cli, String container, String ip, String iface) {
    IpRequest request = checkIpArgument(cli, ip);
    CalicoClient calico = cli.client();
    // For ipv4, ipv6 or a pool, the address added is the one the endpoint did not have before.
    List<Cidr> before =
        request instanceof IpRequest.Specific
            ? List.of()
            : calico.endpoint(container).map(WorkloadEndpoint::nets).orElse(List.of());
    WorkloadEndpoint ep;
    try {
      ep = calico.addIp(container, ip, iface);
    } catch (NotFoundException e) {
      if (e.reason() == Reason.WORKLOAD_NOT_CONFIGURED) {
        throw new CliException(
            "Failed to add IP address to container.\nContainer "
                + echo(container)
                + " is unknown to Calico.\nUse `calicoctl container add` to add the container to"
                + " the Calico network.");
      }
      throw e;
    }
    String added = ip;
    for (Cidr net : ep.nets()) {
      if (!(request instanceof IpRequest.Specific) && !before.contains(net)) {
        added = net.address().getHostAddress();
      }
    }
    cli.print("IP " + added + " added to " + container);
  }

  private static void removeIp(Cli cli, String container, String ip, String iface) {
    if (!Inputs.isIp(ip)) {
      throw new CliException(IpRequest.INVALID);
    }
    CalicoClient calico = cli.client();
    try {
      calico.removeIp(container, Inputs.ip(ip), iface);
    } catch (NotFoundException e) {
      if (e.reason() == Reason.WORKLOAD_NOT_CONFIGURED) {
        throw new CliException("Container is unknown to Calico.");
      }
      throw e;
    }
    cli.print("IP " + ip + " removed from " + container);
  }

  /** {@code container <CONTAINER> profile (append|remove|set) [<PROFILES>...]}. */
  private static int profiles(
      Cli cli, String container, String verb, List<String> profiles, Args a) {
    if (!List.of("append", "remove", "set").contains(verb)) {
      throw a.usage("Unknown profile command " + echo(verb) + ".");
    }
    if (!verb.equals("set") && profiles.isEmpty()) {
      cli.print("No profile specified.");
      return 0;
    }
    CalicoClient calico = cli.client();
    try {
      switch (verb) {
        case "append" -> {
          calico.appendProfiles(container, profiles);
          cli.print("Profile(s) " + String.join(", ", profiles) + " appended.");
        }
        case "remove" -> {
          calico.removeProfiles(container, profiles);
          cli.print("Profile(s) " + String.join(",", profiles) + " removed.");
        }
        default -> {
          calico.setProfiles(container, profiles);
          cli.print(
              profiles.isEmpty()
                  ? "Removed all profiles from endpoint."
                  : "Profile(s) set to " + String.join(", ", profiles) + ".");
        }
      }
    } catch (ProfileAlreadyInEndpointException | ProfileNotInEndpointException e) {
      cli.print(Messages.of(e)); // the reference's notice, exit 0
    } catch (NotFoundException e) {
      if (e.reason() != Reason.ENDPOINT_NOT_FOUND) {
        throw e;
      }
      throw new CliException(
          switch (verb) {
            case "append" ->
                "Failed to append profiles to endpoint.\nEndpoint "
                    + echo(container)
                    + " is unknown to Calico.\n";
            case "set" -> "Failed to set profiles for endpoint.\nEndpoint could not be found.\n";
            default -> "Failed to remove profiles from endpoint.\nEndpoint could not be found.\n";
          });
    }
    return 0;
  }

  /**
   * calicoctl's pre-check of {@code <IP>}: an IP, {@code ipv4|ipv6}, or the CIDR of a pool.
   *
   * @return the request it names
   */
  private static IpRequest checkIpArgument(Cli cli, String ip) {
    IpRequest r;
    try {
      r = Inputs.ipRequest(ip);
    } catch (IllegalArgumentException e) {
      throw new CliException(IpRequest.INVALID);
    }
    if (r instanceof IpRequest.FromPool p && cli.client().ipPools().find(p.pool()).isEmpty()) {
      throw new CliException(
          "Invalid CIDR specified for desired pool. No pool found for " + p.pool() + ".");
    }
    return r;
  }
}
