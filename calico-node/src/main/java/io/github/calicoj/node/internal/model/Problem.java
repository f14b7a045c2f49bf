package io.github.calicoj.node.internal.model;

import static java.util.Objects.requireNonNull;

/**
 * Something wrong or unsupported in the data, found while decoding or rendering: the subject (a
 * datastore key, or a name such as {@code pool 10.10.0.0/16}) and a message naming the bad value.
 * The runtime logs a problem once, when it first appears. Immutable.
 *
 * @param subject the datastore key or object the problem is about
 * @param message what is wrong and what the agent does about it
 */
public record Problem(String subject, String message) implements Comparable<Problem> {

  /** Rejects nulls. */
  public Problem {
    requireNonNull(subject, "subject");
    requireNonNull(message, "message");
  }

  @Override
  public int compareTo(Problem o) {
    int c = subject.compareTo(o.subject);
    return c != 0 ? c : message.compareTo(o.message);
  }

  @Override
  public String toString() {
    return subject + ": " + message;
  }
}
