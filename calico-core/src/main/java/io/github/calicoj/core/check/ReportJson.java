package io.github.calicoj.core.check;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/** {@link CheckReport#json()}: one indented JSON object. Stateless and thread-safe. */
final class ReportJson {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ReportJson() {}

  static String render(CheckReport r) {
    ObjectNode o = JSON.createObjectNode();
    o.put("host", r.host());
    o.put("all_hosts", r.options().allHosts());
    o.put("repair", r.options().repair());
    o.put("grace_seconds", r.options().grace().toSeconds());
    o.put("checked_at", r.checkedAt().toString());
    o.put("found", r.found());
    o.put("unresolved", r.unresolved().size());
    ArrayNode findings = o.putArray("findings");
    for (Finding f : r.findings()) {
      ObjectNode j = findings.addObject();
      j.put("kind", f.kind().id());
      j.put("host", f.host());
      j.put("subject", f.subject());
      j.put("evidence", f.evidence());
      ObjectNode d = j.putObject("details");
      f.details().forEach(d::put);
      if (f.age().isPresent()) {
        j.put("age_seconds", f.age().get().toSeconds());
      } else {
        j.putNull("age_seconds");
      }
      j.put(
          "age_source", f.ageSource().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
      Optional<Repair> repair = r.repairOf(f);
      if (repair.isPresent()) {
        ObjectNode x = j.putObject("repair");
        x.put("outcome", repair.get().outcome().id());
        x.put("action", repair.get().action());
      }
    }
    ArrayNode notes = o.putArray("notes");
    r.notes().forEach(notes::add);
    try {
      return JSON.writeValueAsString(o) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the report as JSON", e);
    }
  }
}
