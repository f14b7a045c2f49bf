package io.github.calicoj.netns.nft.internal;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.IgnoreError;
import jnr.ffi.annotations.In;
import jnr.ffi.types.u_int32_t;
import org.jspecify.annotations.Nullable;

/**
 * The libnftables functions calicoj calls ({@code include/nftables/libnftables.h}, soname {@code
 * libnftables.so.1}), and nothing more. libnftables reports failures through its return codes and
 * its error buffer, not errno, so no call saves errno. A context is not thread-safe: see {@link
 * NftContext}.
 */
public interface LibNftables {
  /** {@code struct nft_ctx *nft_ctx_new(uint32_t flags)}; opens the netfilter socket. */
  @IgnoreError
  @Nullable Pointer nft_ctx_new(@u_int32_t int flags);

  /** {@code void nft_ctx_free(struct nft_ctx *ctx)}; closes the socket, frees caches. */
  @IgnoreError
  void nft_ctx_free(Pointer ctx);

  /** {@code void nft_ctx_output_set_flags(struct nft_ctx *ctx, unsigned int flags)}. */
  @IgnoreError
  void nft_ctx_output_set_flags(Pointer ctx, @u_int32_t int flags);

  /** {@code void nft_ctx_set_dry_run(struct nft_ctx *ctx, bool dry)}. */
  @IgnoreError
  void nft_ctx_set_dry_run(Pointer ctx, boolean dry);

  /** {@code int nft_ctx_buffer_output(struct nft_ctx *ctx)}: 0 on success. */
  @IgnoreError
  int nft_ctx_buffer_output(Pointer ctx);

  /** {@code int nft_ctx_buffer_error(struct nft_ctx *ctx)}: 0 on success. */
  @IgnoreError
  int nft_ctx_buffer_error(Pointer ctx);

  /** The buffered output, NUL-terminated; reading it rewinds the buffer. */
  @IgnoreError
  Pointer nft_ctx_get_output_buffer(Pointer ctx);

  /** The buffered error text, NUL-terminated; reading it rewinds the buffer. */
  @IgnoreError
  Pointer nft_ctx_get_error_buffer(Pointer ctx);

  /**
   * {@code int nft_run_cmd_from_buffer(struct nft_ctx *nft, const char *buf)}: 0 on success. The
   * buffer must end with a NUL byte (jnr-ffi does not add one to a {@code byte[]}).
   */
  @IgnoreError
  int nft_run_cmd_from_buffer(Pointer ctx, @In byte[] nulTerminated);
}
