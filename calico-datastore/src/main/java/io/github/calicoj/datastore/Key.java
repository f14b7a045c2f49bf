package io.github.calicoj.datastore;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A datastore key: an absolute path string such as {@code /calico/v1/config/Ready}.
 *
 * <p>A key starts with {@code /}, holds no NUL or other control character, and is at most {@value
 * #MAX_BYTES} bytes in UTF-8. As a prefix (for {@link Datastore#list} and friends) it matches by
 * plain string prefix, so {@code /a/b} also matches {@code /a/bc}; end a prefix with {@code /} to
 * mean "the children of". Immutable and thread-safe.
 *
 * @param path the key's text, which {@link #toString()} returns unchanged
 */
public record Key(String path) implements Comparable<Key> {

  /** The longest key accepted, in UTF-8 bytes. */
  public static final int MAX_BYTES = 4096;

  /** Validates the path; see the class documentation for the rules. */
  public Key {
    requireNonNull(path, "path");
    checkArgument(path.startsWith("/"), "Key must start with '/': %s", path);
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      checkArgument(c >= 0x20 && c != 0x7f, "Key has a control character at index %s: %s", i, path);
    }
    checkArgument(
        path.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES,
        "Key is longer than %s bytes: %s",
        MAX_BYTES,
        path);
  }

  /** Returns the key for {@code path}; the same as the constructor. */
  public static Key of(String path) {
    return new Key(path);
  }

  /** Returns this key with {@code segment} appended after a {@code /} (none is added twice). */
  public Key child(String segment) {
    requireNonNull(segment, "segment");
    checkArgument(!segment.isEmpty(), "Key segment must not be empty");
    return new Key(path.endsWith("/") ? path + segment : path + "/" + segment);
  }

  /** True if this key starts with {@code prefix}'s text. */
  public boolean startsWith(Key prefix) {
    return path.startsWith(prefix.path);
  }

  /** Orders keys as etcd does: by their UTF-8 bytes, unsigned. */
  @Override
  public int compareTo(Key other) {
    return compareUtf8(path, other.path);
  }

  /** Returns the path. */
  @Override
  public String toString() {
    return path;
  }

  /**
   * Compares two strings by their UTF-8 encodings, unsigned byte by byte, which is etcd's key
   * order. For strings without surrogate pairs this is code-unit order, which is what we compute
   * first.
   */
  static int compareUtf8(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char ca = a.charAt(i);
      char cb = b.charAt(i);
      if (ca != cb) {
        if (Character.isSurrogate(ca) || Character.isSurrogate(cb)) {
          return compareBytes(a, b);
        }
        return Character.compare(ca, cb);
      }
    }
    return Integer.compare(a.length(), b.length());
  }

  private static int compareBytes(String a, String b) {
    byte[] x = a.getBytes(StandardCharsets.UTF_8);
    byte[] y = b.getBytes(StandardCharsets.UTF_8);
    return Arrays.compareUnsigned(x, y);
  }
}
