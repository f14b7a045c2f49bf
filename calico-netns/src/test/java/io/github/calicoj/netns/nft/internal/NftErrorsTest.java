package io.github.calicoj.netns.nft.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.netns.nft.NftablesException;
import org.junit.jupiter.api.Test;

/** Error texts exactly as libnftables 1.0.6 writes them in JSON mode, mapped without root. */
class NftErrorsTest {
  private static final String KERNEL_EEXIST =
      "internal:0:0-0: Error: Could not process rule: File exists\n\n";
  private static final String KERNEL_ENOENT =
      "internal:0:0-0: Error: Could not process rule: No such file or directory\n\n";
  private static final String EVAL_ENOENT =
      "internal:0:0-0: Error: No such file or directory; did you mean table ‘cjt_exp’ in family"
          + " inet?\n\n";
  private static final String SYNTAX =
      "Error: syntax error, unexpected '{'\n{\"nftables\": [ {\"add\" \n^\n";
  private static final String SCHEMA =
      "internal:0:0-0: Error: Unknown object passed to add command.\n\n"
          + "internal:0:0-0: Error: Parsing command array at index 0 failed.\n\n";
  private static final String DNS =
      "internal:0:0-0: Error: Could not resolve hostname: Temporary failure in name resolution\n\n";

  @Test
  void errnoComesFromTheStrerrorTextOfTheFirstError() {
    assertThat(NftErrors.errnoOf(KERNEL_EEXIST)).isEqualTo(17);
    assertThat(NftErrors.errnoOf(KERNEL_ENOENT)).isEqualTo(2);
    assertThat(NftErrors.errnoOf(EVAL_ENOENT)).isEqualTo(2);
    assertThat(NftErrors.errnoOf("Error: Could not process rule: Operation not permitted\n"))
        .isEqualTo(1);
    assertThat(NftErrors.errnoOf("Error: Could not process rule: Operation not supported\n"))
        .isEqualTo(95);
    assertThat(NftErrors.errnoOf("Error: Could not process rule: Device or resource busy\n"))
        .isEqualTo(16);
  }

  @Test
  void textsWithoutAnErrnoGiveZero() {
    assertThat(NftErrors.errnoOf(SYNTAX)).isZero();
    assertThat(NftErrors.errnoOf(SCHEMA)).isZero();
    assertThat(NftErrors.errnoOf(DNS)).isZero();
    assertThat(NftErrors.errnoOf("")).isZero();
    // A strerror text must end at a word boundary to count.
    assertThat(NftErrors.errnoOf("Error: File existsx\n")).isZero();
  }

  @Test
  void firstErrorDropsTheLocationAndKeepsOneLine() {
    assertThat(NftErrors.firstError(SCHEMA))
        .isEqualTo("Error: Unknown object passed to add command.");
    assertThat(NftErrors.firstError(SYNTAX)).isEqualTo("Error: syntax error, unexpected '{'");
    assertThat(NftErrors.firstError("\n  something odd\n")).isEqualTo("something odd");
    assertThat(NftErrors.firstError("")).isNull();
    assertThat(NftErrors.firstError("Error: " + "x".repeat(1000))).hasSize(301).endsWith("…");
  }

  @Test
  void rejectedBuildsTheMessageFromOperationCommandErrnoAndFirstLine() {
    String cmd = "{\"nftables\": [{\"create\": {\"element\": {\"family\": \"inet\"}}}]}";
    NftablesException e = NftErrors.rejected("nft", cmd, KERNEL_EEXIST);
    assertThat(e.getMessage())
        .isEqualTo(
            "nft "
                + cmd
                + " failed: EEXIST (File exists): Error: Could not process rule: File exists");
    assertThat(e.isAlreadyExists()).isTrue();
    assertThat(e.errnoName()).isEqualTo("EEXIST");
    assertThat(e.command()).isEqualTo(cmd);
    assertThat(e.errorText()).isEqualTo(KERNEL_EEXIST);
    assertThat(e.operation()).isEqualTo("nft");
    assertThat(e.isOutcomeUnknown()).isFalse();

    NftablesException parse = NftErrors.rejected("nft --check", "{", SYNTAX);
    assertThat(parse.errno()).isZero();
    assertThat(parse.getMessage())
        .isEqualTo("nft --check { failed: rejected: Error: syntax error, unexpected '{'");
  }

  @Test
  void longCommandsAreCappedInTheMessageAndInTheException() {
    String big = "{\"nftables\": [" + "{\"add\": {}}, ".repeat(2000) + "]}";
    NftablesException e = NftErrors.rejected("nft", big, KERNEL_ENOENT);
    assertThat(e.command())
        .hasSize(
            NftablesException.COMMAND_LIMIT
                + ("… (" + (big.length() - 4096) + " more characters)").length())
        .startsWith(big.substring(0, 100))
        .endsWith(" more characters)");
    assertThat(e.subject()).hasSize(121).endsWith("…");
    assertThat(e.getMessage()).hasSizeLessThan(300);
    assertThat(NftErrors.excerpt("a \n\t b", 10)).isEqualTo("a b");
  }

  @Test
  void noAnswerIsOutcomeUnknown() {
    NftablesException e = NftErrors.noAnswer("nft", "{}", "no answer within PT1S", null);
    assertThat(e.isOutcomeUnknown()).isTrue();
    assertThat(e.errno()).isZero();
    assertThat(e.getMessage())
        .isEqualTo("nft {} failed: no answer within PT1S; it may still be applied");
  }
}
