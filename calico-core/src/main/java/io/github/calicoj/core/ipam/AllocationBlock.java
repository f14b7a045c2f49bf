package io.github.calicoj.core.ipam;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.AlreadyExistsException;
import io.github.calicoj.core.CalicoException.Reason;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * One IPAM block: 64 addresses, which of them are allocated (and with which attributes), and the
 * host it is affine to. Immutable: the operations return a new block. The invariants are checked on
 * construction, as pycalico checks them on every read. A little over 400 lines: its operations
 * (assign, auto-assign, the three releases, the compaction of attributes) all keep the same
 * invariants over the same two arrays, so they stay with them.
 */
public final class AllocationBlock {
  /** Addresses per block. */
  public static final int SIZE = 64;

  /**
   * An allocation's attributes: the handle and free-form secondary attributes.
   *
   * @param handleId the handle, or null
   * @param secondary the free-form attributes, kept in key order
   */
  public record Attribute(@Nullable String handleId, Map<String, String> secondary) {
    /** Copies the map, in key order. */
    public Attribute {
      secondary = Collections.unmodifiableMap(new TreeMap<>(secondary));
    }
  }

  private final Cidr cidr;
  private final @Nullable String affinityHost;
  private final boolean strictAffinity;
  private final @Nullable Integer[] allocations;
  private final List<Attribute> attributes;
  private final List<Integer> unallocated;

  /**
   * Builds a block from its parts.
   *
   * @param cidr the block's /26 or /122
   * @param affinityHost the host it is affine to, or null
   * @param allocations 64 entries: null (free) or an index into {@code attributes}
   * @param unallocated the free ordinals in reuse order, or null to rebuild them (ascending)
   */
  public AllocationBlock(
      Cidr cidr,
      @Nullable String affinityHost,
      boolean strictAffinity,
      List<@Nullable Integer> allocations,
      List<Attribute> attributes,
      @Nullable List<Integer> unallocated) {
    this.cidr = requireNonNull(cidr, "cidr");
    checkArgument(
        cidr.isNormalized() && cidr.prefixLength() == IpPool.blockPrefix(cidr.version()),
        "Not a block CIDR: %s",
        cidr);
    this.affinityHost = affinityHost == null || affinityHost.isEmpty() ? null : affinityHost;
    this.strictAffinity = strictAffinity;
    checkArgument(
        allocations.size() == SIZE,
        "Block %s has %s allocations, not 64",
        cidr,
        allocations.size());
    this.allocations = allocations.toArray(new Integer[0]);
    this.attributes = List.copyOf(attributes);
    boolean[] used = new boolean[this.attributes.size()];
    List<Integer> free = new ArrayList<>();
    for (int i = 0; i < SIZE; i++) {
      Integer a = this.allocations[i];
      if (a == null) {
        free.add(i);
      } else {
        checkArgument(
            a >= 0 && a < used.length,
            "Block %s ordinal %s has a bad attribute index %s",
            cidr,
            i,
            a);
        used[a] = true;
      }
    }
    for (int i = 0; i < used.length; i++) {
      checkArgument(used[i], "Block %s attribute %s is not referenced", cidr, i);
    }
    if (unallocated == null) {
      this.unallocated = List.copyOf(free);
    } else {
      checkArgument(
          unallocated.size() == free.size()
              && new LinkedHashSet<>(unallocated).size() == unallocated.size()
              && Set.copyOf(unallocated).equals(Set.copyOf(free)),
          "Block %s: unallocated does not match the free ordinals",
          cidr);
      this.unallocated = List.copyOf(unallocated);
    }
  }

  /** A new empty block affine to {@code host}. */
  public static AllocationBlock empty(Cidr cidr, @Nullable String host, boolean strictAffinity) {
    List<@Nullable Integer> none = new ArrayList<>();
    for (int i = 0; i < SIZE; i++) {
      none.add(null);
    }
    return new AllocationBlock(cidr, host, strictAffinity, none, List.of(), null);
  }

  /** The block containing {@code ip}. */
  public static Cidr blockFor(InetAddress ip) {
    Cidr host = Cidr.host(ip);
    return Cidr.containing(ip, IpPool.blockPrefix(host.version()));
  }

  /** The block's network. */
  public Cidr cidr() {
    return cidr;
  }

  /** The affine host, if any. */
  public Optional<String> affinityHost() {
    return Optional.ofNullable(affinityHost);
  }

  /** Whether only the affine host may assign from it. */
  public boolean strictAffinity() {
    return strictAffinity;
  }

  /** The 64 allocation entries (null = free). */
  public List<@Nullable Integer> allocations() {
    return Collections.unmodifiableList(Arrays.asList(allocations.clone()));
  }

  /** The attribute entries. */
  public List<Attribute> attributes() {
    return attributes;
  }

  /** Free ordinals in reuse order (front first; released ones go to the back). */
  public List<Integer> unallocated() {
    return unallocated;
  }

  /** Number of free addresses. */
  public int freeCount() {
    return unallocated.size();
  }

  /** True if {@code ip} is allocated. */
  public boolean isAllocated(InetAddress ip) {
    return allocations[ordinal(ip)] != null;
  }

  /** The attributes of an allocated address. */
  public Optional<Attribute> attributesOf(InetAddress ip) {
    Integer a = allocations[ordinal(ip)];
    return a == null ? Optional.empty() : Optional.of(attributes.get(a));
  }

  /** Every allocated address. */
  public List<InetAddress> allocatedAddresses() {
    List<InetAddress> out = new ArrayList<>();
    for (int i = 0; i < SIZE; i++) {
      if (allocations[i] != null) {
        out.add(cidr.addressAt(i));
      }
    }
    return out;
  }

  /** The result of {@link #autoAssign}. */
  public record AutoAssigned(AllocationBlock block, List<InetAddress> addresses) {}

  /**
   * Takes up to {@code count} free addresses from the front of the free list.
   *
   * @param affinityCheck refuse unless {@code host} is the affine host (always when strict)
   * @return the new block and the addresses, possibly fewer than asked, possibly none
   */
  public AutoAssigned autoAssign(
      int count,
      @Nullable String handleId,
      Map<String, String> secondary,
      String host,
      boolean affinityCheck) {
    return autoAssign(count, handleId, secondary, host, affinityCheck, Set.of());
  }

  /**
   * {@link #autoAssign(int, String, Map, String, boolean)}, passing over the addresses in {@code
   * skip} (which stay free, in their place in the free list).
   */
  public AutoAssigned autoAssign(
      int count,
      @Nullable String handleId,
      Map<String, String> secondary,
      String host,
      boolean affinityCheck,
      Set<InetAddress> skip) {
    if ((affinityCheck || strictAffinity) && !host.equals(affinityHost)) {
      return new AutoAssigned(this, List.of());
    }
    List<Integer> taken = new ArrayList<>();
    List<Integer> stillFree = new ArrayList<>(unallocated.size());
    for (Integer ordinal : unallocated) {
      if (taken.size() < count && (skip.isEmpty() || !skip.contains(cidr.addressAt(ordinal)))) {
        taken.add(ordinal);
      } else {
        stillFree.add(ordinal);
      }
    }
    if (taken.isEmpty()) {
      return new AutoAssigned(this, List.of());
    }
    List<Attribute> attrs = new ArrayList<>(attributes);
    int index = attributeIndex(attrs, new Attribute(handleId, secondary));
    Integer[] alloc = allocations.clone();
    List<InetAddress> out = new ArrayList<>(taken.size());
    for (int ordinal : taken) {
      alloc[ordinal] = index;
      out.add(cidr.addressAt(ordinal));
    }
    return new AutoAssigned(
        new AllocationBlock(
            cidr, affinityHost, strictAffinity, Arrays.asList(alloc), attrs, stillFree),
        out);
  }

  /**
   * Assigns one specific address.
   *
   * @throws AlreadyExistsException ({@code ADDRESS_ALREADY_ASSIGNED}) if it is taken
   * @throws IllegalStateException if the block is strictly affine to another host
   */
  public AllocationBlock assign(
      InetAddress ip, @Nullable String handleId, Map<String, String> secondary, String host) {
    int ordinal = ordinal(ip);
    if (allocations[ordinal] != null) {
      throw new AlreadyExistsException(
          Reason.ADDRESS_ALREADY_ASSIGNED,
          InetAddresses.toAddrString(ip) + " is already assigned in block " + cidr);
    }
    if (strictAffinity && !host.equals(affinityHost)) {
      throw new IllegalStateException(
          "Block host affinity is " + affinityHost + " (not " + host + ")");
    }
    List<Attribute> attrs = new ArrayList<>(attributes);
    int index = attributeIndex(attrs, new Attribute(handleId, secondary));
    Integer[] alloc = allocations.clone();
    alloc[ordinal] = index;
    List<Integer> free = new ArrayList<>(unallocated);
    free.remove(Integer.valueOf(ordinal));
    return new AllocationBlock(
        cidr, affinityHost, strictAffinity, Arrays.asList(alloc), attrs, free);
  }

  /** The result of {@link #release}. */
  public record Released(
      AllocationBlock block, Set<InetAddress> alreadyFree, Map<String, Integer> handleCounts) {}

  /**
   * Frees addresses: attribute entries whose last reference goes are removed and the rest
   * renumbered; freed ordinals go to the back of the free list.
   *
   * @return the new block, the addresses that were already free, and per handle the count freed
   */
  public Released release(Set<InetAddress> addresses) {
    Integer[] alloc = allocations.clone();
    Set<InetAddress> alreadyFree = new LinkedHashSet<>();
    List<Integer> freed = new ArrayList<>();
    Map<String, Integer> handles = new HashMap<>();
    for (InetAddress ip : addresses) {
      int o = ordinal(ip);
      Integer a = alloc[o];
      if (a == null) {
        alreadyFree.add(ip);
        continue;
      }
      String handle = attributes.get(a).handleId();
      if (handle != null) {
        handles.merge(handle, 1, Integer::sum);
      }
      alloc[o] = null;
      freed.add(o);
    }
    if (freed.isEmpty()) {
      return new Released(this, alreadyFree, Map.of());
    }
    return new Released(compact(alloc, freed), alreadyFree, handles);
  }

  /** Frees every address with this handle; returns the new block and how many were freed. */
  public Released releaseByHandle(String handleId) {
    Set<InetAddress> mine = new LinkedHashSet<>();
    for (int i = 0; i < SIZE; i++) {
      Integer a = allocations[i];
      if (a != null && handleId.equals(attributes.get(a).handleId())) {
        mine.add(cidr.addressAt(i));
      }
    }
    return release(mine);
  }

  /**
   * Frees each address of {@code owners} that its given handle or no handle holds (allocations
   * written before handles existed); an address that another handle now holds was freed and
   * assigned again since its owner read it, and stays. Addresses already free are reported as such.
   *
   * @param owners each address, with the handle expected to hold it (null: any or none)
   */
  public Released releaseOwned(Map<InetAddress, @Nullable String> owners) {
    Set<InetAddress> mine = new LinkedHashSet<>();
    for (Map.Entry<InetAddress, @Nullable String> e : owners.entrySet()) {
      Integer a = allocations[ordinal(e.getKey())];
      String holder = a == null ? null : attributes.get(a).handleId();
      if (a == null || holder == null || e.getValue() == null || holder.equals(e.getValue())) {
        mine.add(e.getKey());
      }
    }
    return release(mine);
  }

  /** This block with another affinity. */
  public AllocationBlock withAffinity(@Nullable String host) {
    return new AllocationBlock(
        cidr, host, strictAffinity, Arrays.asList(allocations), attributes, unallocated);
  }

  private AllocationBlock compact(Integer[] alloc, List<Integer> freed) {
    // Drop attribute entries nobody references any more and renumber the rest.
    int[] remap = new int[attributes.size()];
    Arrays.fill(remap, -1);
    List<Attribute> kept = new ArrayList<>();
    for (Integer a : alloc) {
      if (a != null && remap[a] == -1) {
        remap[a] = -2; // referenced
      }
    }
    for (int i = 0; i < attributes.size(); i++) {
      if (remap[i] == -2) {
        remap[i] = kept.size();
        kept.add(attributes.get(i));
      }
    }
    for (int i = 0; i < SIZE; i++) {
      if (alloc[i] != null) {
        alloc[i] = remap[alloc[i]];
      }
    }
    List<Integer> free = new ArrayList<>(unallocated);
    free.addAll(freed);
    return new AllocationBlock(
        cidr, affinityHost, strictAffinity, Arrays.asList(alloc), kept, free);
  }

  private static int attributeIndex(List<Attribute> attrs, Attribute wanted) {
    int i = attrs.indexOf(wanted);
    if (i >= 0) {
      return i;
    }
    attrs.add(wanted);
    return attrs.size() - 1;
  }

  private int ordinal(InetAddress ip) {
    return (int) cidr.offsetOf(ip);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AllocationBlock b
        && cidr.equals(b.cidr)
        && Objects.equals(affinityHost, b.affinityHost)
        && strictAffinity == b.strictAffinity
        && Arrays.equals(allocations, b.allocations)
        && attributes.equals(b.attributes)
        && unallocated.equals(b.unallocated);
  }

  @Override
  public int hashCode() {
    return Objects.hash(cidr, affinityHost, strictAffinity, Arrays.hashCode(allocations));
  }

  @Override
  public String toString() {
    return "AllocationBlock{" + cidr + ", affinity " + affinityHost + ", free " + freeCount() + "}";
  }
}
