package io.github.calicoj.netns.nft.internal;

import io.github.calicoj.netns.internal.Native;
import io.github.calicoj.netns.internal.msg.NlMessage;
import io.github.calicoj.netns.nft.NftCommands;
import io.github.calicoj.netns.nft.NftElements;
import io.github.calicoj.netns.nft.NftablesException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jnr.constants.platform.Errno;
import org.jspecify.annotations.Nullable;

/**
 * The one place where libnftables' error text becomes a {@link NftablesException}. Pure functions.
 *
 * <p>libnftables reports a failure as text only. Kernel rejections read {@code Error: Could not
 * process rule: <strerror>}, and failed lookups during evaluation {@code Error: <strerror>; did you
 * mean ...}; both carry the errno's {@code strerror} text, which is mapped back to the errno here
 * so that callers can branch on {@code errno()}. Parse errors carry none (errno 0).
 */
public final class NftErrors {
  private static final String ERROR = "Error: ";
  private static final String KERNEL = "Could not process rule: ";

  /** strerror text → errno, for every errno jnr-constants knows on this platform. */
  private static final Map<String, Integer> BY_DESCRIPTION = byDescription();

  private NftErrors() {}

  private static Map<String, Integer> byDescription() {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (Errno e : Errno.values()) {
      if (e != Errno.__UNKNOWN_CONSTANT__ && e.defined()) {
        m.putIfAbsent(e.description(), e.intValue());
      }
    }
    return m;
  }

  /**
   * The exception for a command libnftables rejected.
   *
   * @param operation {@code nft}, {@code nft --check} or {@code nft --echo}
   */
  public static NftablesException rejected(String operation, String command, String errorText) {
    int errno = errnoOf(errorText);
    return new NftablesException(
        operation,
        command,
        errno,
        Native.errnoName(errno),
        errno == 0 ? "rejected" : Native.strerror(errno),
        errorText,
        false,
        null);
  }

  /**
   * The exception for an element batch the kernel refused ({@link NftNetlink}): the first refusal
   * names its command and, if the kernel pointed at one, the element; the error text has one line
   * per refusal, {@code Error: <strerror>: <command>}, with the kernel's extended-ack message if it
   * sent one.
   *
   * @param refused request index (-1: the batch as a whole) → the kernel's NLMSG_ERROR reply
   */
  public static NftablesException refusedElements(
      NftElements batch, List<NftNetlink.Message> messages, Map<Integer, NlMessage> refused) {
    Map<String, NlMessage> named = new LinkedHashMap<>();
    for (Map.Entry<Integer, NlMessage> e : refused.entrySet()) {
      NlMessage reply = e.getValue();
      if (e.getKey() < 0) {
        named.put("commit of " + batch, reply);
      } else {
        NftNetlink.Message m = messages.get(e.getKey());
        NftElements.Command c = batch.commands().get(m.command());
        int bad = reply.extAckOffset() < 0 ? -1 : m.elementAt(reply.extAckOffset());
        named.put(batch.command(c, bad < 0 ? m.elements() : List.of(m.elements().get(bad))), reply);
      }
    }
    return refusal(batch.toString(), named);
  }

  /**
   * The exception for a command batch the kernel refused ({@link NftNetlink#writeCommands}): the
   * first refusal names its command; the error text has one line per refusal.
   *
   * @param refused command index (-1: the batch as a whole) → the kernel's NLMSG_ERROR reply
   */
  public static NftablesException refusedCommands(
      NftCommands batch, Map<Integer, NlMessage> refused) {
    Map<String, NlMessage> named = new LinkedHashMap<>();
    refused.forEach(
        (i, reply) ->
            named.put(
                i < 0 ? "commit of " + batch : batch.describe(batch.commands().get(i)), reply));
    return refusal(batch.toString(), named);
  }

  /** The exception for refusals, by what was refused; the first one is the subject. */
  private static NftablesException refusal(String all, Map<String, NlMessage> refused) {
    StringBuilder text = new StringBuilder();
    String first = null;
    int firstErrno = 0;
    for (Map.Entry<String, NlMessage> e : refused.entrySet()) {
      NlMessage reply = e.getValue();
      String ack = reply.extAckMessage();
      text.append(text.length() == 0 ? "" : "\n")
          .append(ERROR)
          .append(Native.strerror(reply.errno()))
          .append(": ")
          .append(e.getKey())
          .append(ack == null ? "" : " (" + ack + ")");
      if (first == null) {
        first = e.getKey();
        firstErrno = reply.errno();
      }
    }
    return new NftablesException(
        "nfnetlink",
        first == null ? all : first,
        firstErrno,
        Native.errnoName(firstErrno),
        Native.strerror(firstErrno),
        text.toString(),
        false,
        null);
  }

  /** The exception for a command whose outcome is unknown (no answer in time, or interrupted). */
  public static NftablesException noAnswer(
      String operation, String command, String why, @Nullable Throwable cause) {
    return new NftablesException(
        operation, command, 0, "", why + "; it may still be applied", "", true, cause);
  }

  /**
   * The errno whose {@code strerror} text starts the first error message of {@code errorText}
   * (after {@code Could not process rule: }, if present); 0 if none does.
   */
  public static int errnoOf(String errorText) {
    for (String line : errorText.split("\n", -1)) {
      int at = line.indexOf(ERROR);
      if (at < 0) {
        continue;
      }
      String rest = line.substring(at + ERROR.length());
      if (rest.startsWith(KERNEL)) {
        rest = rest.substring(KERNEL.length());
      }
      int best = 0;
      int bestLength = 0;
      for (Map.Entry<String, Integer> e : BY_DESCRIPTION.entrySet()) {
        String d = e.getKey();
        if (d.length() > bestLength && rest.startsWith(d) && endsWord(rest, d.length())) {
          best = e.getValue();
          bestLength = d.length();
        }
      }
      return best;
    }
    return 0;
  }

  private static boolean endsWord(String s, int at) {
    return at == s.length() || !Character.isLetterOrDigit(s.charAt(at));
  }

  /**
   * The first error message of {@code errorText}, from its {@code Error:} on (without the input
   * location before it), or its first non-blank line; at most 300 characters. Null if blank.
   */
  public static @Nullable String firstError(String errorText) {
    String fallback = null;
    for (String line : errorText.split("\n", -1)) {
      int at = line.indexOf(ERROR);
      if (at >= 0) {
        return excerpt(line.substring(at), 300);
      }
      if (fallback == null && !line.isBlank()) {
        fallback = excerpt(line, 300);
      }
    }
    return fallback;
  }

  /** {@code text} with each run of whitespace made one space, cut to {@code max} characters. */
  public static String excerpt(String text, int max) {
    String flat = text.strip().replaceAll("\\s+", " ");
    return flat.length() <= max ? flat : flat.substring(0, max) + "…";
  }

  /** {@code text} cut to {@code max} characters, saying how many were cut. */
  public static String cap(String text, int max) {
    return text.length() <= max
        ? text
        : text.substring(0, max) + "… (" + (text.length() - max) + " more characters)";
  }
}
