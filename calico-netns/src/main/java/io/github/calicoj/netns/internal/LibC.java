package io.github.calicoj.netns.internal;

import java.nio.ByteBuffer;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;
import jnr.ffi.types.u_int64_t;
import org.jspecify.annotations.Nullable;

/**
 * The libc functions calico-netns calls, and nothing more (jnr-ffi's advice: keep the surface
 * lean). jnr-posix has none of the socket calls or {@code setns}. Buffers are direct, so jnr-ffi
 * passes their address without copying. Read errno with {@link Native#errno()} right after a call
 * fails, on the same thread.
 */
public interface LibC {
  @SaveError
  int socket(int domain, int type, int protocol);

  @SaveError
  int bind(int fd, @In ByteBuffer addr, int len);

  @SaveError
  @ssize_t
  long send(int fd, @In ByteBuffer buf, @size_t long len, int flags);

  @SaveError
  @ssize_t
  long recv(int fd, @Out ByteBuffer buf, @size_t long len, int flags);

  @SaveError
  @ssize_t
  long read(int fd, @Out byte[] buf, @size_t long len);

  @SaveError
  @ssize_t
  long write(int fd, @In byte[] buf, @size_t long len);

  @SaveError
  int setsockopt(int fd, int level, int name, @In ByteBuffer value, int len);

  @SaveError
  int setns(int fd, int nstype);

  @SaveError
  int open(String path, int flags);

  @SaveError
  int close(int fd);

  @SaveError
  int fstatfs(int fd, @Out ByteBuffer statfs);

  @SaveError
  int fstat(int fd, @Out ByteBuffer stat);

  @SaveError
  int fcntl(int fd, int cmd, int arg);

  @SaveError
  int ioctl(int fd, @u_int64_t long request);

  @SaveError
  int unshare(int flags);

  @SaveError
  int mount(
      String source, String target, String type, @u_int64_t long flags, @Nullable Pointer data);

  @SaveError
  int umount2(String target, int flags);
}
