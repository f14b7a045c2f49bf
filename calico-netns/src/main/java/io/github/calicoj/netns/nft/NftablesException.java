package io.github.calicoj.netns.nft;

import io.github.calicoj.netns.NetnsException;
import io.github.calicoj.netns.nft.internal.NftErrors;
import org.jspecify.annotations.Nullable;

/**
 * libnftables rejected a command, or gave no answer in time. Carries the command (capped at {@link
 * #COMMAND_LIMIT} characters), libnftables' error text, and the errno named in that text (0 for
 * parse and schema errors, which have none). The message has the form {@code <operation> <command
 * excerpt> failed: <ERRNO> (<strerror>): <first error line>}, e.g. <code>nft
 * {"nftables": [{"add": {"element": ...… failed: ENOENT (No such file or directory): Error: Could
 * not process rule: No such file or directory</code>.
 *
 * <p>Branch on {@link #errno()} and the predicates ({@link #isNotFound()}, {@link
 * #isAlreadyExists()}, {@link #isOutcomeUnknown()}), never on the text. {@link #kernelMessage()}
 * holds the first error line of libnftables' text. Unchecked.
 */
public class NftablesException extends NetnsException {
  private static final long serialVersionUID = 1L;

  /** The most characters of the failed command kept by {@link #command()}. */
  public static final int COMMAND_LIMIT = 4096;

  /** The most characters of libnftables' error text kept by {@link #errorText()}. */
  public static final int ERROR_TEXT_LIMIT = 16384;

  private final String command;
  private final String errorText;
  private final boolean outcomeUnknown;

  /**
   * Creates the exception; public so that fakes of {@link Nftables} can throw it.
   *
   * @param operation {@code nft}, {@code nft --check}, {@code nft --echo} or {@code nft_ctx_new}
   * @param command the command that failed (capped here)
   * @param errno the errno named in the error text, or 0
   * @param errnoName its symbolic name ({@code ENOENT}), or empty
   * @param description strerror's text, or a short description
   * @param errorText libnftables' error text, possibly empty (capped here)
   * @param outcomeUnknown true if the command may have been applied (no answer in time)
   */
  public NftablesException(
      String operation,
      String command,
      int errno,
      String errnoName,
      String description,
      String errorText,
      boolean outcomeUnknown,
      @Nullable Throwable cause) {
    super(
        operation,
        NftErrors.excerpt(command, 120),
        errno,
        errnoName,
        description,
        NftErrors.firstError(errorText),
        cause);
    this.command = NftErrors.cap(command, COMMAND_LIMIT);
    this.errorText = NftErrors.cap(errorText, ERROR_TEXT_LIMIT);
    this.outcomeUnknown = outcomeUnknown;
  }

  /** The command that failed, capped at {@link #COMMAND_LIMIT} characters. */
  public String command() {
    return command;
  }

  /** libnftables' whole error text (possibly several messages), or empty. */
  public String errorText() {
    return errorText;
  }

  /**
   * True if the command may or may not have been applied: no answer came within the handle's
   * timeout, or the caller was interrupted while waiting. Re-read the state before retrying.
   */
  public boolean isOutcomeUnknown() {
    return outcomeUnknown;
  }
}
