package io.github.calicoj.core.check;

import io.github.calicoj.core.client.DockerEngine;
import io.github.calicoj.netns.InterfaceName;
import io.github.calicoj.netns.InvalidNamespaceException;
import io.github.calicoj.netns.Link;
import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.Netlink;
import io.github.calicoj.netns.NetnsException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The real {@link HostSide}: a netlink socket in the host side's namespace (the one given, as
 * {@code CalicoClient.Builder.hostNamespace} takes it, or the caller's own), opened at first use;
 * the Docker Engine API; {@code stat} of namespace paths. Used by one run from one thread.
 */
final class LiveHostSide implements HostSide {
  private final @Nullable Path hostNamespace;
  private final DockerEngine docker;
  private @Nullable NetNs namespace;
  private @Nullable Netlink netlink;

  LiveHostSide(@Nullable Path hostNamespace, DockerEngine docker) {
    this.hostNamespace = hostNamespace;
    this.docker = docker;
  }

  private Netlink netlink() {
    Netlink n = netlink;
    if (n == null) {
      if (hostNamespace != null) {
        NetNs ns = NetNs.open(hostNamespace);
        namespace = ns;
        n = Netlink.openIn(ns);
      } else {
        n = Netlink.open();
      }
      netlink = n;
    }
    return n;
  }

  @Override
  public Map<String, Integer> caliLinks() {
    Map<String, Integer> out = new HashMap<>();
    for (Link l : netlink().links()) {
      if (l.isVeth() && l.name().toString().startsWith("cali")) {
        out.put(l.name().toString(), l.index());
      }
    }
    return out;
  }

  @Override
  public Map<String, Boolean> containers() {
    return docker.containers();
  }

  @Override
  public NamespaceState namespace(String path) {
    try {
      return NamespaceState.present(NetNs.identityOf(Path.of(path)));
    } catch (InvalidNamespaceException e) {
      NamespaceState.Status s =
          switch (e.reason()) {
            case MISSING -> NamespaceState.Status.MISSING;
            case INACCESSIBLE -> NamespaceState.Status.UNREADABLE;
            default -> NamespaceState.Status.NOT_A_NAMESPACE;
          };
      return new NamespaceState(s, null, String.valueOf(e.getMessage()));
    } catch (NetnsException | IllegalArgumentException e) {
      return new NamespaceState(
          NamespaceState.Status.UNREADABLE, null, String.valueOf(e.getMessage()));
    }
  }

  @Override
  public boolean deleteLink(String name) {
    return netlink().deleteLinkIfExists(InterfaceName.of(name));
  }

  @Override
  public void close() {
    if (netlink != null) {
      netlink.close();
      netlink = null;
    }
    if (namespace != null) {
      namespace.close();
      namespace = null;
    }
  }
}
