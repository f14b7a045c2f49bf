package io.github.calicoj.netns.internal;

import static java.util.Objects.requireNonNull;

import io.github.calicoj.netns.InterfaceName;
import io.github.calicoj.netns.Link;
import io.github.calicoj.netns.MacAddress;
import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.NetnsException;
import io.github.calicoj.netns.VethOptions;
import io.github.calicoj.netns.VethPeer;
import io.github.calicoj.netns.internal.msg.LinkMessage;
import io.github.calicoj.netns.internal.msg.NlMessage;
import io.github.calicoj.netns.internal.msg.Requests;
import io.github.calicoj.netns.internal.msg.Rtnl;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * {@link RtNetlink}'s link requests: creating a veth pair, moving a link to another namespace, up
 * and down, a link by name, the dump of all links, a veth's peer, the namespace id of another
 * namespace, and deletes, one by one or in bulk through a free interface group. Thread-safe (its
 * socket is).
 */
final class LinkRequests {
  /** Interface groups calicoj may use for bulk deletes: 0x63610000-0x6361ffff ("ca"). */
  private static final int GROUP_BASE = 0x63610000;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Supplier<NetlinkSocket> socket;

  /**
   * Requests on {@code socket}'s socket, asked for at each request (it may still be being made).
   */
  LinkRequests(Supplier<NetlinkSocket> socket) {
    this.socket = socket;
  }

  private NetlinkSocket socket() {
    return socket.get();
  }

  public Link createVeth(
      InterfaceName host, InterfaceName peer, NetNs peerNs, VethOptions options) {
    requireNonNull(host, "host");
    requireNonNull(peer, "peer");
    requireNonNull(peerNs, "peerNs");
    requireNonNull(options, "options");
    int nsFd = peerNs.fd();
    byte[] mac = options.hostMacAddress().map(MacAddress::bytes).orElse(null);
    List<NlMessage> replies =
        socket()
            .request(
                "RTM_NEWLINK",
                host + " type veth peer " + peer + " netns " + peerNs.path(),
                (buf, seq) ->
                    Requests.newVeth(
                        buf,
                        seq,
                        host.value(),
                        peer.value(),
                        nsFd,
                        mac,
                        options.mtu(),
                        options.group(),
                        options.hostUp()));
    for (NlMessage m : replies) { // the kernel's echo of the new host end
      if (m.type() == Rtnl.RTM_NEWLINK) {
        LinkMessage l = LinkMessage.parse(m.payload());
        if (l.name().equals(host.value())) {
          return toLink(l);
        }
      }
    }
    return link(host); // a kernel that does not echo RTM_NEWLINK
  }

  public void moveToNamespace(InterfaceName link, NetNs target, InterfaceName newName) {
    requireNonNull(target, "target");
    requireNonNull(newName, "newName");
    int index = link(link).index();
    int nsFd = target.fd();
    socket()
        .request(
            "RTM_NEWLINK",
            link + " netns " + target.path() + " name " + newName,
            (buf, seq) -> Requests.moveLinkByIndex(buf, seq, index, nsFd, newName.value()));
  }

  void setLinkUp(InterfaceName link, boolean up) {
    requireNonNull(link, "link");
    socket()
        .request(
            "RTM_NEWLINK",
            link + (up ? " up" : " down"),
            (buf, seq) -> Requests.setLinkUp(buf, seq, link.value(), up));
  }

  public void deleteLink(InterfaceName name) {
    requireNonNull(name, "name");
    socket()
        .request(
            "RTM_DELLINK", name.value(), (buf, seq) -> Requests.delLink(buf, seq, name.value()));
  }

  public boolean deleteLinkIfExists(InterfaceName name) {
    try {
      deleteLink(name);
      return true;
    } catch (NetnsException e) {
      if (e.isNotFound()) {
        return false;
      }
      throw e;
    }
  }

  public Optional<Link> findLink(InterfaceName name) {
    requireNonNull(name, "name");
    try {
      return Optional.of(link(name));
    } catch (NetnsException e) {
      if (e.isNotFound()) {
        return Optional.empty();
      }
      throw e;
    }
  }

  public Link link(InterfaceName name) {
    requireNonNull(name, "name");
    List<NlMessage> replies =
        socket()
            .request(
                "RTM_GETLINK",
                name.value(),
                (buf, seq) -> Requests.getLink(buf, seq, name.value()));
    for (NlMessage m : replies) {
      if (m.type() == Rtnl.RTM_NEWLINK) {
        return toLink(LinkMessage.parse(m.payload()));
      }
    }
    throw Native.error("RTM_GETLINK", name.value(), NetnsException.ENODEV, "no RTM_NEWLINK reply");
  }

  public Optional<VethPeer> peerOf(InterfaceName name) {
    Link l = link(name);
    if (!l.isVeth() || l.linkIndex() <= 0) {
      return Optional.empty();
    }
    int nsid = l.linkNetnsId();
    List<NlMessage> replies;
    try {
      replies =
          socket()
              .request(
                  "RTM_GETLINK",
                  "index " + l.linkIndex() + " link-netnsid " + nsid + " (peer of " + name + ")",
                  (buf, seq) -> Requests.getLinkByIndex(buf, seq, l.linkIndex(), nsid));
    } catch (NetnsException e) {
      if (e.isNotFound()) {
        return Optional.empty(); // the pair went away between the two requests
      }
      throw e;
    }
    for (NlMessage m : replies) {
      if (m.type() == Rtnl.RTM_NEWLINK) {
        LinkMessage peer = LinkMessage.parse(m.payload());
        return Optional.of(new VethPeer(peer.index(), InterfaceName.of(peer.name()), nsid));
      }
    }
    return Optional.empty();
  }

  public OptionalInt namespaceId(NetNs other) {
    requireNonNull(other, "ns");
    int nsFd = other.fd();
    for (NlMessage m :
        socket()
            .request("RTM_GETNSID", other.path(), (buf, seq) -> Requests.getNsid(buf, seq, nsFd))) {
      if (m.type() == Rtnl.RTM_NEWNSID) {
        int id = m.nsid();
        return id < 0 ? OptionalInt.empty() : OptionalInt.of(id);
      }
    }
    return OptionalInt.empty();
  }

  public List<Link> links() {
    List<NlMessage> replies =
        socket().request("RTM_GETLINK", "dump", (buf, seq) -> Requests.dumpLinks(buf, seq));
    List<Link> links = new ArrayList<>();
    for (NlMessage m : replies) {
      if (m.type() == Rtnl.RTM_NEWLINK) {
        links.add(toLink(LinkMessage.parse(m.payload())));
      }
    }
    return List.copyOf(links);
  }

  public int deleteLinks(Collection<InterfaceName> names) {
    requireNonNull(names, "names");
    if (names.isEmpty()) {
      return 0;
    }
    int group = freeGroup();
    List<NetlinkSocket.Part> tags = new ArrayList<>(names.size());
    for (InterfaceName name : names) {
      tags.add(
          new NetlinkSocket.Part(
              "RTM_NEWLINK",
              name + " group " + group,
              (buf, seq) -> Requests.setLinkGroup(buf, seq, name.value(), group)));
    }
    int tagged = 0;
    NetnsException failure = null;
    for (NetnsException e : socket().requestEach(tags)) { // in as few datagrams as fit
      if (e == null) {
        tagged++;
      } else if (!e.isNotFound() && failure == null) {
        failure = e;
      }
    }
    if (tagged > 0) {
      // Also after a failure: what was tagged goes, rather than stay in calicoj's group.
      socket()
          .request(
              "RTM_DELLINK",
              "group " + group,
              (buf, seq) -> Requests.delLinkGroup(buf, seq, group));
    }
    if (failure != null) {
      throw failure;
    }
    return tagged;
  }

  /**
   * A group in calicoj's range that no link uses now (never group 0, which would be everything).
   */
  private int freeGroup() {
    for (int attempt = 0; attempt < 16; attempt++) {
      int group = GROUP_BASE + 1 + RANDOM.nextInt(0xfffe);
      int g = group;
      if (links().stream().noneMatch(l -> l.group() == g)) {
        return group;
      }
    }
    throw Native.error("bulk delete", "group", 0, "no free interface group in calicoj's range");
  }

  static Link toLink(LinkMessage m) {
    byte[] addr = m.address();
    MacAddress mac = addr != null && addr.length == 6 ? MacAddress.of(addr) : MacAddress.ZERO;
    return new Link(
        m.index(),
        InterfaceName.of(m.name()),
        mac,
        m.mtu(),
        m.up(),
        m.group(),
        m.kind(),
        m.link(),
        m.linkNetnsId());
  }
}
