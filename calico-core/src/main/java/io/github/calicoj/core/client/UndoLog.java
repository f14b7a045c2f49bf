package io.github.calicoj.core.client;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a flow has done so far that a failure must undo, as records (one sealed type per flow),
 * undone in reverse order. Not thread-safe: one flow, one thread.
 *
 * @param <U> the flow's undo records
 */
final class UndoLog<U> {
  private static final Logger LOG = LoggerFactory.getLogger(UndoLog.class);

  private final Deque<U> records = new ArrayDeque<>();

  /** Records a step to undo if a later one fails. */
  void push(U record) {
    records.push(record);
  }

  /** Forgets everything recorded: the flow has succeeded. */
  void clear() {
    records.clear();
  }

  /**
   * Undoes every recorded step, newest first, with {@code undo}. A step whose undo fails is logged
   * and its failure attached to {@code cause} as suppressed; the older steps are still undone.
   */
  void rollback(Throwable cause, Consumer<U> undo) {
    while (!records.isEmpty()) {
      U r = records.pop();
      try {
        undo.accept(r);
      } catch (RuntimeException e) {
        LOG.warn("Could not undo {}: {}", r, e.getMessage());
        LOG.debug("Undo failure", e);
        cause.addSuppressed(e);
      }
    }
  }
}
