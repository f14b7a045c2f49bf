package io.github.calicoj.examples.cli;

import java.util.ArrayList;
import java.util.List;

/** A prettytable-style table, as the reference prints them. Not thread-safe. */
public final class Table {
  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();

  /** A table with these column headings. */
  public Table(String... header) {
    this.header = List.of(header);
  }

  /** Adds a row; a cell may hold several lines. */
  public void add(Object... cells) {
    List<String> row = new ArrayList<>();
    for (Object c : cells) {
      row.add(String.valueOf(c));
    }
    rows.add(row);
  }

  @Override
  public String toString() {
    int[] w = new int[header.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = header.get(i).length();
      for (List<String> r : rows) {
        for (String line : r.get(i).split("\n", -1)) {
          w[i] = Math.max(w[i], line.length());
        }
      }
    }
    StringBuilder sep = new StringBuilder("+");
    for (int x : w) {
      sep.append("-".repeat(x + 2)).append('+');
    }
    StringBuilder out = new StringBuilder();
    out.append(sep).append('\n');
    line(out, header, w);
    out.append(sep).append('\n');
    for (List<String> r : rows) {
      int height = 1;
      for (String c : r) {
        height = Math.max(height, c.split("\n", -1).length);
      }
      for (int h = 0; h < height; h++) {
        List<String> part = new ArrayList<>();
        for (String c : r) {
          String[] lines = c.split("\n", -1);
          part.add(h < lines.length ? lines[h] : "");
        }
        line(out, part, w);
      }
    }
    out.append(sep);
    return out.toString();
  }

  private static void line(StringBuilder out, List<String> cells, int[] w) {
    out.append('|');
    for (int i = 0; i < w.length; i++) {
      String c = cells.get(i);
      out.append(' ').append(c).append(" ".repeat(w[i] - c.length())).append(" |");
    }
    out.append('\n');
  }
}
