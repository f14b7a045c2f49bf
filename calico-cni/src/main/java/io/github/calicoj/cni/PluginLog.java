package io.github.calicoj.cni;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The plugin's log: slf4j-simple on stderr at the configured level, and, with {@code
 * log_file_path}, appended to that file as well. stdout carries only the result or the error
 * object. Configured once per process, before the first logger is made (slf4j-simple reads its
 * settings then).
 */
final class PluginLog {
  private PluginLog() {}

  /**
   * Sets the level and the destination. A log file that cannot be opened is reported on stderr and
   * not used: logging never fails an invocation.
   */
  static void configure(String level, @Nullable Path file) {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
    System.setProperty("org.slf4j.simpleLogger.showShortLogName", "true");
    System.setProperty("org.slf4j.simpleLogger.levelInBrackets", "true");
    if (file == null) {
      return;
    }
    PrintStream stderr = System.err;
    try {
      Path parent = file.getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      OutputStream log = new FileOutputStream(file.toFile(), true);
      System.setErr(new PrintStream(new Tee(stderr, log), true, StandardCharsets.UTF_8));
    } catch (IOException | SecurityException e) {
      stderr.println("calico-cni: cannot open log_file_path " + file + ": " + e);
    }
  }

  /**
   * Writes to both streams; a failing second stream (the file) is dropped, not fatal. Not
   * thread-safe on its own: the {@link PrintStream} around it serializes the writes.
   */
  private static final class Tee extends OutputStream {
    private final OutputStream first;
    private @Nullable OutputStream second;

    Tee(OutputStream first, OutputStream second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      first.write(b, off, len);
      OutputStream s = second;
      if (s != null) {
        try {
          s.write(b, off, len);
        } catch (IOException e) {
          second = null;
        }
      }
    }

    @Override
    public void flush() throws IOException {
      first.flush();
      OutputStream s = second;
      if (s != null) {
        s.flush();
      }
    }
  }
}
