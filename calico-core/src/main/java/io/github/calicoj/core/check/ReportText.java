package io.github.calicoj.core.check;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** {@link CheckReport#table()}: a bordered text table, a summary line and the notes. Stateless. */
final class ReportText {
  private ReportText() {}

  static String render(CheckReport r) {
    StringBuilder out = new StringBuilder();
    String scope = r.options().allHosts() ? "any host" : "host " + r.host();
    if (r.findings().isEmpty()) {
      out.append("No IPAM problems found on ").append(scope).append(".\n");
    } else {
      boolean repaired = r.options().repair();
      List<String> header =
          new ArrayList<>(List.of("Finding", "Host", "Subject", "Evidence", "Age"));
      if (repaired) {
        header.add("Repair");
      }
      List<List<String>> rows = new ArrayList<>();
      for (Finding f : r.findings()) {
        List<String> row = new ArrayList<>();
        row.add(f.kind().id());
        row.add(f.host().isEmpty() ? "-" : f.host());
        row.add(f.subject());
        row.add(f.evidence());
        row.add(f.age().map(a -> Ages.format(a) + " (" + source(f.ageSource()) + ")").orElse("-"));
        if (repaired) {
          row.add(r.repairOf(f).map(x -> x.outcome().id() + ": " + x.action()).orElse("-"));
        }
        rows.add(row);
      }
      table(out, header, rows);
      out.append(r.findings().size()).append(r.findings().size() == 1 ? " finding" : " findings");
      out.append(" on ").append(scope);
      if (repaired) {
        Map<Repair.Outcome, Integer> counts = new EnumMap<>(Repair.Outcome.class);
        r.repairs().forEach(x -> counts.merge(x.outcome(), 1, Integer::sum));
        List<String> parts = new ArrayList<>();
        counts.forEach((o, n) -> parts.add(n + " " + o.id()));
        out.append(": ").append(String.join(", ", parts));
        out.append(" (grace ").append(Ages.format(r.options().grace())).append(")");
      }
      out.append(".\n");
    }
    for (String n : r.notes()) {
      out.append("Note: ").append(n).append('\n');
    }
    return out.toString();
  }

  private static String source(Finding.AgeSource s) {
    return s == Finding.AgeSource.CREATED ? "created" : "first seen";
  }

  private static void table(StringBuilder out, List<String> header, List<List<String>> rows) {
    int[] width = new int[header.size()];
    for (int i = 0; i < width.length; i++) {
      width[i] = header.get(i).length();
      for (List<String> row : rows) {
        width[i] = Math.max(width[i], row.get(i).length());
      }
    }
    StringBuilder rule = new StringBuilder("+");
    for (int w : width) {
      rule.append("-".repeat(w + 2)).append('+');
    }
    rule.append('\n');
    out.append(rule);
    line(out, header, width);
    out.append(rule);
    for (List<String> row : rows) {
      line(out, row, width);
    }
    out.append(rule);
  }

  private static void line(StringBuilder out, List<String> cells, int[] width) {
    out.append('|');
    for (int i = 0; i < width.length; i++) {
      String c = cells.get(i);
      out.append(' ').append(c).append(" ".repeat(width[i] - c.length())).append(" |");
    }
    out.append('\n');
  }
}
