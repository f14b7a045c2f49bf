package io.github.calicoj.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's embedding sample is the code of {@link EmbeddingExample}, which compiles. */
class ReadmeSampleTest {

  private static String normalize(String s) {
    return s.replaceAll("//[^\n]*", "").replaceAll("\\s+", " ").trim();
  }

  @Test
  void readmeShowsTheCompiledSample() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    int section = readme.indexOf("## Embedding the SDK");
    assertThat(section).isPositive();
    int start = readme.indexOf("```java", section) + "```java".length();
    int end = readme.indexOf("```", start);
    String shown = readme.substring(start, end);

    String source =
        Files.readString(Path.of("src/main/java/io/github/calicoj/examples/EmbeddingExample.java"));
    String compiled =
        source.substring(
            source.indexOf("// README-BEGIN") + "// README-BEGIN".length(),
            source.indexOf("// README-END"));
    assertThat(normalize(shown.replace("WorkloadEndpoint ep = calico", "ep = calico")))
        .isEqualTo(normalize(compiled));
  }
}
