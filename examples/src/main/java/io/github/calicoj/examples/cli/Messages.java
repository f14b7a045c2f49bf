package io.github.calicoj.examples.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How user input and failures become text: what the user typed is echoed at most {@value
 * #ECHO_LIMIT} characters long, and a failure's message carries no Java class name, no word longer
 * than {@value #WORD_LIMIT} characters, no line longer than about {@value #LINE_LIMIT} and at most
 * {@value #LINES_LIMIT} lines. Stateless.
 */
final class Messages {
  /** The longest piece of user input an error message repeats. */
  static final int ECHO_LIMIT = 80;

  /**
   * The longest word (a run of characters without spaces) of a failure message: a message from the
   * SDK may quote input in full.
   */
  static final int WORD_LIMIT = 120;

  /** The longest line of a failure message. */
  static final int LINE_LIMIT = 200;

  /** How much of a line's end {@link #clean} keeps when it cuts the line: the message's verdict. */
  private static final int LINE_TAIL = 60;

  private static final Pattern LONG_WORD = Pattern.compile("\\S{" + (WORD_LIMIT + 1) + ",}");

  /** The most lines a failure message keeps. */
  static final int LINES_LIMIT = 20;

  /**
   * A Java class name that a lower layer put into its text, with the colon after it: {@code
   * java.net.ConnectException: }, {@code IllegalStateException: }.
   */
  private static final Pattern CLASS_NAME =
      Pattern.compile("\\b(?:[a-z][a-z0-9_]*\\.)*[A-Z][A-Za-z0-9_$]*(?:Exception|Error)\\b:? ?");

  private Messages() {}

  /**
   * User input as an error message repeats it: at most {@value #ECHO_LIMIT} characters, then {@code
   * ...} (ASCII, readable in any locale); control characters (a newline that would forge a line)
   * shown as {@code ?}.
   */
  static String echo(String input) {
    boolean cut = input.length() > ECHO_LIMIT;
    String s = cut ? input.substring(0, ECHO_LIMIT) : input;
    StringBuilder b = new StringBuilder(s.length() + 1);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(Character.isISOControl(c) ? '?' : c);
    }
    return cut ? b.append("...").toString() : b.toString();
  }

  /**
   * A failure's message for the user: the exception's message (or a generic line when it has none),
   * {@linkplain #clean cleaned}.
   */
  static String of(Throwable e) {
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      return "Internal error; run with --debug for details.";
    }
    return clean(m);
  }

  /**
   * {@code text} without Java class names, each word cut at {@value #WORD_LIMIT} characters, each
   * line longer than {@value #LINE_LIMIT} characters cut in its middle (so that its end, which says
   * what went wrong, stays), and at most {@value #LINES_LIMIT} lines.
   */
  static String clean(String text) {
    String[] lines = CLASS_NAME.matcher(text).replaceAll("").split("\n", -1);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < lines.length; i++) {
      if (i > 0) {
        b.append('\n');
      }
      if (i == LINES_LIMIT) {
        b.append("...");
        break;
      }
      b.append(shorten(lines[i]));
    }
    return b.toString();
  }

  /** {@code text} on one line: control characters (a newline from the input) shown as {@code ?}. */
  static String oneLine(String text) {
    StringBuilder b = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      b.append(Character.isISOControl(c) ? '?' : c);
    }
    return b.toString();
  }

  private static String shorten(String line) {
    Matcher m = LONG_WORD.matcher(line);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(b, Matcher.quoteReplacement(prefix(m.group(), WORD_LIMIT) + "..."));
    }
    m.appendTail(b);
    if (b.length() <= LINE_LIMIT) {
      return b.toString();
    }
    int tail = b.length() - LINE_TAIL;
    if (Character.isLowSurrogate(b.charAt(tail))) {
      tail++;
    }
    return prefix(b.toString(), LINE_LIMIT - LINE_TAIL - 5) + " ... " + b.substring(tail);
  }

  /** The first {@code n} characters of {@code s}, without splitting a surrogate pair. */
  private static String prefix(String s, int n) {
    int end = Character.isHighSurrogate(s.charAt(n - 1)) ? n - 1 : n;
    return s.substring(0, end);
  }
}
