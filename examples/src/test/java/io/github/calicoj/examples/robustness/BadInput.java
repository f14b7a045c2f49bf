package io.github.calicoj.examples.robustness;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One bad input for calicoctl and what a clean answer to it is: the command line, the environment
 * it changes, its stdin, and the expected exit code, the most lines the answer may have, and what
 * the answer must contain: the bad value (as calicoctl echoes it) or the reference's own text for
 * that mistake. Built by {@link BadInputs}; mutable only while it is being built.
 */
final class BadInput {
  /** A Java class name as a lower layer would print it ({@code java.net.ConnectException}). */
  private static final Pattern CLASS_NAME =
      Pattern.compile(
          "\\b(?:java|javax|jdk|sun|com|org|io|jnr|net)\\.[a-z][\\w.]*[A-Z]\\w*"
              + "|\\b[A-Z][a-z]\\w*(?:Exception|Error)\\b");

  /** A stack trace line or the JVM's report of an uncaught exception. */
  private static final Pattern STACK =
      Pattern.compile("^\\s+at [\\w$.]+\\(|^Caused by: |Exception in thread ", Pattern.MULTILINE);

  /** The longest answer a bad input may get, in characters. */
  static final int MAX_OUTPUT = 1_000;

  final String category;
  final List<String> args;
  final Map<String, String> env = new LinkedHashMap<>();
  byte[] stdin = new byte[0];
  int exit = 1;
  int maxLines = 1;
  final List<String> mustContain = new ArrayList<>();
  Duration limit = Duration.ofSeconds(6);
  boolean asProcess;
  String knownIssue;

  BadInput(String category, List<String> args) {
    this.category = category;
    this.args = List.copyOf(args);
  }

  /** The answer must contain {@code text} (the reference's wording for this mistake). */
  BadInput says(String text) {
    mustContain.add(text);
    return this;
  }

  /**
   * The answer must name {@code value}: contain its start (up to the first control character, at
   * most 40 characters), which survives calicoctl's cap on echoed input.
   */
  BadInput names(String value) {
    int end = 0;
    while (end < value.length() && end < 40 && !Character.isISOControl(value.charAt(end))) {
      end++;
    }
    if (end == 0) {
      throw new IllegalArgumentException("names() needs a printable value: " + args);
    }
    mustContain.add(value.substring(0, end));
    return this;
  }

  /** A usage error: the message naming {@code value}, then the command's usage line; exit 1. */
  BadInput usage(String value) {
    maxLines = 2;
    mustContain.add("\nUsage: calicoctl ");
    return value.isEmpty() ? this : names(value);
  }

  /** The reference's documented notice with exit code 0: nothing to do. */
  BadInput notice() {
    exit = 0;
    return this;
  }

  /** The answer may have up to {@code n} lines (the reference's multi-line messages). */
  BadInput lines(int n) {
    maxLines = n;
    return this;
  }

  BadInput env(String name, String value) {
    env.put(name, value);
    return this;
  }

  BadInput stdin(String text) {
    stdin = text.getBytes(StandardCharsets.UTF_8);
    return this;
  }

  /**
   * This input is not answered cleanly yet, for the reason given (reported, to be fixed outside the
   * CLI): the sweep lists it apart and fails once it is clean, so that the mark goes.
   */
  BadInput knownIssue(String why) {
    knownIssue = why;
    return this;
  }

  /** Also run this input as a {@code bin/calicoctl} process, whose answer must be the same. */
  BadInput alsoAsProcess() {
    asProcess = true;
    return this;
  }

  /** The command must end within {@code d} (default 6 s: the sweep's etcd timeout plus 4 s). */
  BadInput within(Duration d) {
    limit = d;
    return this;
  }

  /**
   * Why the answer is not clean, or an empty list if it is: exit code, line count, length, class
   * names, stack traces, the expected text, the time taken. (What it changed is checked apart.)
   */
  List<String> problems(int exitCode, String output, Duration took) {
    List<String> p = new ArrayList<>();
    if (exitCode != exit) {
      p.add("exit " + exitCode + " (expected " + exit + ")");
    }
    String trimmed = output.strip();
    if (trimmed.isEmpty()) {
      p.add("no message");
    }
    long lines = trimmed.lines().count();
    if (lines > maxLines) {
      p.add(lines + " lines (at most " + maxLines + ")");
    }
    if (output.length() > MAX_OUTPUT) {
      p.add(output.length() + " characters of output");
    }
    if (CLASS_NAME.matcher(output).find()) {
      p.add("a Java class name");
    }
    if (STACK.matcher(output).find()) {
      p.add("a stack trace");
    }
    for (String m : mustContain) {
      if (!output.contains(m)) {
        p.add("does not say \"" + m.strip() + "\"");
      }
    }
    if (took.compareTo(limit) > 0) {
      p.add("took " + took.toMillis() + " ms (limit " + limit.toMillis() + ")");
    }
    return p;
  }

  /** The command line as a shell would show it, cut for a report. */
  String display() {
    StringBuilder b = new StringBuilder();
    env.forEach((k, v) -> b.append(k).append('=').append(shell(v)).append(' '));
    b.append("calicoctl");
    for (String a : args) {
      b.append(' ').append(shell(a));
    }
    if (stdin.length > 0) {
      String in = new String(stdin, StandardCharsets.UTF_8);
      b.append(" <<< ").append(shell(in));
    }
    return b.toString();
  }

  private static String shell(String s) {
    String cut = s.length() > 60 ? s.substring(0, 60) + "...(" + s.length() + " chars)" : s;
    cut = cut.replace("\n", "\\n");
    return cut.isEmpty() || cut.matches(".*[\\s'\"!&|;<>$`\\\\(){}*?#].*")
        ? "'" + cut.replace("'", "'\\''") + "'"
        : cut;
  }

  @Override
  public String toString() {
    return category + ": " + display();
  }
}
