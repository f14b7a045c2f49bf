package io.github.calicoj.core.check;

import io.github.calicoj.netns.NetNs;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A planted {@link HostSide}: the links, containers and namespaces a test puts in its maps. Counts
 * how often each is asked, and records deleted links.
 */
final class FakeHostSide {
  final Map<String, Integer> links = new HashMap<>();
  final Map<String, Boolean> containers = new HashMap<>();
  final Map<String, NetNs.Identity> namespaces = new HashMap<>();
  final List<String> deleted = new CopyOnWriteArrayList<>();
  RuntimeException dockerDown;
  int linkDumps;
  int containerLists;
  int opened;
  int closed;

  /** A view for one run. */
  HostSide open() {
    opened++;
    return new HostSide() {
      @Override
      public Map<String, Integer> caliLinks() {
        linkDumps++;
        return Map.copyOf(links);
      }

      @Override
      public Map<String, Boolean> containers() {
        containerLists++;
        if (dockerDown != null) {
          throw dockerDown;
        }
        return Map.copyOf(containers);
      }

      @Override
      public NamespaceState namespace(String path) {
        NetNs.Identity id = namespaces.get(path);
        return id == null
            ? new NamespaceState(NamespaceState.Status.MISSING, null, path + ": no such file")
            : NamespaceState.present(id);
      }

      @Override
      public boolean deleteLink(String name) {
        deleted.add(name);
        return links.remove(name) != null;
      }

      @Override
      public void close() {
        closed++;
      }
    };
  }
}
