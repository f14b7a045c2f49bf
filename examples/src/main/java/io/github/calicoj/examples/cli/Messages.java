package io.github.calicoj.examples.cli;

import java.util.regex.Pattern;

/**
 * How user input and failures become text: what the user typed is echoed at most {@value
 * #ECHO_LIMIT} characters long, and a failure's message carries no Java class name, no line longer
 * than {@value #LINE_LIMIT} characters and at most {@value #LINES_LIMIT} lines. Stateless.
 */
final class Messages {
  /** The longest piece of user input an error message repeats. */
  static final int ECHO_LIMIT = 80;

  /** The longest line of a failure message (a message from the SDK may quote input in full). */
  static final int LINE_LIMIT = 200;

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
   * {@code text} without Java class names, each line cut at {@value #LINE_LIMIT} characters, and at
   * most {@value #LINES_LIMIT} lines.
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
      String line = lines[i];
      b.append(line.length() > LINE_LIMIT ? line.substring(0, LINE_LIMIT) + "..." : line);
    }
    return b.toString();
  }
}
