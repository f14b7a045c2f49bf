package io.github.calicoj.netns.nft.internal;

import io.github.calicoj.netns.nft.NftablesException;
import jnr.ffi.Pointer;

/**
 * One libnftables context ({@code struct nft_ctx}) with buffered output and error text.
 *
 * <p>Not thread-safe, and bound to a namespace twice over: {@code nft_ctx_new} opens the context's
 * netfilter socket in the namespace of the thread that calls it, and every command resolves
 * interface names ({@code meta iif "eth0"}) through a NETLINK_ROUTE socket opened in the namespace
 * of the thread that runs it (both checked with libnftables 1.0.6). So a context is created, used
 * and freed only on the one thread of its {@link NamespaceThread}.
 */
public final class NftContext {
  // include/nftables/libnftables.h, enum nft_ctx_output_flags
  /** Listings carry each object's handle. */
  public static final int OUTPUT_HANDLE = 1 << 3;

  /** Output in JSON ({@code man libnftables-json}); input is auto-detected. */
  public static final int OUTPUT_JSON = 1 << 4;

  /** Print what was committed, with handles, like {@code nft --echo}. */
  public static final int OUTPUT_ECHO = 1 << 5;

  private final LibNftables lib;
  private final Pointer ctx;
  private int flags = -1;
  private boolean dryRun;
  private boolean freed;

  private NftContext(LibNftables lib, Pointer ctx) {
    this.lib = lib;
    this.ctx = ctx;
  }

  /** What one command returned: libnftables' return code, its output and its error text. */
  public record Result(int rc, String output, String errors) {}

  /**
   * Creates a context in the calling thread's namespace.
   *
   * @throws io.github.calicoj.netns.NetnsException if no netfilter socket can be opened here
   * @throws NftablesException if libnftables cannot make the context or buffer its output
   */
  public static NftContext create() {
    LibNftables lib = NftNative.lib();
    NftNative.checkNetfilterSocket();
    synchronized (NftNative.LIBRARY_LOCK) {
      Pointer ctx = lib.nft_ctx_new(0); // NFT_CTX_DEFAULT
      if (ctx == null) {
        throw setupFailed("nft_ctx_new returned NULL");
      }
      if (lib.nft_ctx_buffer_output(ctx) != 0 || lib.nft_ctx_buffer_error(ctx) != 0) {
        lib.nft_ctx_free(ctx);
        throw setupFailed("nft_ctx_buffer_output/nft_ctx_buffer_error failed");
      }
      return new NftContext(lib, ctx);
    }
  }

  private static NftablesException setupFailed(String why) {
    return new NftablesException("nft_ctx_new", "", 0, "", why, "", false, null);
  }

  /**
   * Runs one buffer of commands, which libnftables commits as one transaction, and reads back both
   * buffers (reading rewinds them for the next command).
   *
   * @param nulTerminated the commands in UTF-8, ending with a NUL byte
   * @param outputFlags {@code OUTPUT_*} bits
   * @param dryRun check only, commit nothing ({@code nft --check})
   */
  public Result run(byte[] nulTerminated, int outputFlags, boolean dryRun) {
    if (freed) {
      throw new IllegalStateException("nftables context already freed");
    }
    synchronized (NftNative.LIBRARY_LOCK) {
      if (outputFlags != flags) {
        lib.nft_ctx_output_set_flags(ctx, outputFlags);
        flags = outputFlags;
      }
      if (dryRun != this.dryRun) {
        lib.nft_ctx_set_dry_run(ctx, dryRun);
        this.dryRun = dryRun;
      }
      int rc = lib.nft_run_cmd_from_buffer(ctx, nulTerminated);
      String output = NftNative.string(lib.nft_ctx_get_output_buffer(ctx));
      String errors = NftNative.string(lib.nft_ctx_get_error_buffer(ctx));
      return new Result(rc, output, errors);
    }
  }

  /** Frees the context and closes its socket. Idempotent. */
  public void free() {
    if (!freed) {
      freed = true;
      synchronized (NftNative.LIBRARY_LOCK) {
        lib.nft_ctx_free(ctx);
      }
    }
  }
}
