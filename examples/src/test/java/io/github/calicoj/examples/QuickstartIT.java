package io.github.calicoj.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.datastore.memory.InMemoryDatastore;
import io.github.calicoj.netns.NetnsSupport;
import io.github.calicoj.testkit.Requirements;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The README's main command, in-process on the embedded datastore: it must succeed end to end. */
class QuickstartIT {

  @Test
  void quickstartPingsAndLeavesNothing() throws Exception {
    Requirements.requireRoot();
    Requirements.require(NetnsSupport.isAvailable(), "netns support");
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    boolean ok;
    try (InMemoryDatastore store = InMemoryDatastore.create();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      ok = Quickstart.run(store, out);
    }
    String text = buf.toString(StandardCharsets.UTF_8);
    assertThat(ok).as(text).isTrue();
    assertThat(text)
        .contains("reply received")
        .contains("left behind: nothing")
        .contains("| quickstart-")
        .contains("10.66.0.10/32");
  }
}
