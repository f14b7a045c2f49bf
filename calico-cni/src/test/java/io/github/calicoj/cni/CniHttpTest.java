package io.github.calicoj.cni;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The server's framing, without a socket: what is accepted, what is refused and how. */
class CniHttpTest {
  private static final String CONFIG = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}";

  private final List<String> events = new ArrayList<>();

  private CniHttp.Request read(String head, String body) throws Exception {
    InputStream in =
        new ByteArrayInputStream((head + "\r\n" + body).getBytes(UTF_8)) {
          @Override
          public synchronized int read(byte[] b, int off, int len) {
            events.add("body read");
            return super.read(b, off, len);
          }
        };
    return CniHttp.read(in, () -> events.add("100 Continue"));
  }

  private static String head(String... lines) {
    StringBuilder b = new StringBuilder("POST /cni HTTP/1.1\r\n");
    for (String l : lines) {
      b.append(l).append("\r\n");
    }
    return b.toString();
  }

  private CniHttp.BadRequest refused(String head, String body) {
    Throwable t = catchThrowable(() -> read(head, body));
    assertThat(t).isInstanceOf(CniHttp.BadRequest.class);
    return (CniHttp.BadRequest) t;
  }

  private void assertRefused(String head, int status, CniCode code, String message) {
    CniHttp.BadRequest b = refused(head, CONFIG);
    assertThat(b.status()).as("status of %s", b.getMessage()).isEqualTo(status);
    assertThat(b.error().code()).isEqualTo(code);
    assertThat(b.getMessage()).isEqualTo(message);
  }

  @Test
  void aRequestCarriesItsVariablesAndTheConfiguration() throws Exception {
    CniHttp.Request r =
        read(
            head(
                "Host: localhost",
                "User-Agent: curl/7.88.1",
                "cni_command: ADD",
                "CNI_CONTAINERID:\t0123abcd ",
                "CNI_NETNS: /run/netns/cjt-x",
                "CNI_IFNAME: eth0",
                "CNI_ARGS: IgnoreUnknown=1;IP=10.0.0.7",
                "Content-Length: " + CONFIG.length()),
            CONFIG);
    assertThat(r.env())
        .isEqualTo(
            Map.of(
                "CNI_COMMAND", "ADD",
                "CNI_CONTAINERID", "0123abcd",
                "CNI_NETNS", "/run/netns/cjt-x",
                "CNI_IFNAME", "eth0",
                "CNI_ARGS", "IgnoreUnknown=1;IP=10.0.0.7"));
    assertThat(new String(r.config(), UTF_8)).isEqualTo(CONFIG);
    assertThat(events).doesNotContain("100 Continue");
  }

  @Test
  void expectContinueIsAnsweredBeforeTheBodyIsRead() throws Exception {
    read(head("CNI_COMMAND: DEL", "Expect: 100-continue", "Content-Length: 2"), "{}");
    assertThat(events).first().isEqualTo("100 Continue");
    assertThat(events).contains("body read");
  }

  @Test
  void onlyTheBodyIsRead() throws Exception {
    CniHttp.Request r = read(head("CNI_COMMAND: DEL", "Content-Length: 2"), "{}GARBAGE");
    assertThat(new String(r.config(), UTF_8)).isEqualTo("{}");
  }

  @Test
  void theCommandMustBeAddDelOrCheck() {
    assertRefused(
        head("Content-Length: 2"),
        400,
        CniCode.INVALID_ENVIRONMENT,
        "Header CNI_COMMAND is missing");
    assertRefused(
        head("CNI_COMMAND: VERSION", "Content-Length: 2"),
        400,
        CniCode.INVALID_ENVIRONMENT,
        "CNI_COMMAND VERSION is not ADD, DEL or CHECK");
  }

  @Test
  void badHeadersAreRefusedByName() {
    assertRefused(
        head("CNI_COMMAND: ADD", "CNI_NETWORK: x", "Content-Length: 2"),
        400,
        CniCode.INVALID_ENVIRONMENT,
        "Header CNI_NETWORK is not a CNI variable (CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS,"
            + " CNI_IFNAME, CNI_ARGS, CNI_PATH)");
    assertRefused(
        head("CNI_COMMAND: ADD", "cni_command: DEL", "Content-Length: 2"),
        400,
        CniCode.INVALID_ENVIRONMENT,
        "Header CNI_COMMAND is given twice");
    assertRefused(
        head("CNI_COMMAND: ADD", "CNI_ARGS: IP=1\u0000", "Content-Length: 2"),
        400,
        CniCode.INVALID_ENVIRONMENT,
        "Header CNI_ARGS has a control character (0x0)");
    assertRefused(
        head("CNI_COMMAND: ADD", " folded", "Content-Length: 2"),
        400,
        CniCode.IO_FAILURE,
        "Not a header line (a token, a colon, a value):  folded");
    assertRefused(
        head("CNI_COMMAND: ADD", "Bad Name: x", "Content-Length: 2"),
        400,
        CniCode.IO_FAILURE,
        "Not a header line (a token, a colon, a value): Bad Name: x");
  }

  @Test
  void crAndLfOnlyEndLinesTogether() {
    assertRefused(
        "POST /cni HTTP/1.1\r\nCNI_CONTAINERID: a\rCNI_COMMAND: DEL\r\nContent-Length: 2\r\n",
        400,
        CniCode.IO_FAILURE,
        "A header line has a CR not followed by LF");
    assertRefused(
        "POST /cni HTTP/1.1\r\nCNI_CONTAINERID: a\nCNI_COMMAND: DEL\r\nContent-Length: 2\r\n",
        400,
        CniCode.IO_FAILURE,
        "A header line ends in LF without CR");
  }

  @Test
  void theBodyNeedsAContentLengthOfAtMost4MiB() {
    assertRefused(
        head("CNI_COMMAND: ADD"),
        411,
        CniCode.IO_FAILURE,
        "Content-Length is required (the configuration's size)");
    assertRefused(
        head("CNI_COMMAND: ADD", "Content-Length: 4194305"),
        413,
        CniCode.IO_FAILURE,
        "The configuration is larger than 4194304 bytes (4194305)");
    assertRefused(
        head("CNI_COMMAND: ADD", "Content-Length: -1"),
        400,
        CniCode.IO_FAILURE,
        "Content-Length -1 is not a byte count");
    assertRefused(
        head("CNI_COMMAND: ADD", "Content-Length: 2", "Content-Length: 2"),
        400,
        CniCode.IO_FAILURE,
        "Content-Length is given twice");
    assertRefused(
        head("CNI_COMMAND: ADD", "Transfer-Encoding: chunked"),
        501,
        CniCode.IO_FAILURE,
        "Transfer-Encoding is not supported; send Content-Length");
  }

  @Test
  void aBodyCutShortIsNotARequest() {
    assertThatThrownBy(() -> read(head("CNI_COMMAND: DEL", "Content-Length: 10"), "{}"))
        .isInstanceOf(EOFException.class)
        .hasMessage("The connection ended after 2 of 10 bytes of the body");
    assertThatThrownBy(() -> CniHttp.read(new ByteArrayInputStream(new byte[0]), () -> {}))
        .isInstanceOf(EOFException.class);
  }

  @Test
  void theRequestLineIsPostToCniOverHttp1() {
    assertRefused("GET /cni HTTP/1.1\r\n", 405, CniCode.IO_FAILURE, "Method GET is not POST");
    assertRefused(
        "POST /other HTTP/1.1\r\n", 404, CniCode.IO_FAILURE, "No resource /other; POST to /cni");
    assertRefused("POST /cni HTTP/2.0\r\n", 505, CniCode.IO_FAILURE, "HTTP/2.0 is not HTTP/1.1");
    assertRefused(
        "POST\t/cni\u0001\r\n",
        400,
        CniCode.IO_FAILURE,
        "Not an HTTP request line: POST\\x09/cni\\x01");
  }

  @Test
  void linesAndHeadersAreBounded() {
    String longLine = "X-Long: " + "a".repeat(CniHttp.MAX_LINE);
    assertRefused(
        head("CNI_COMMAND: ADD", longLine),
        431,
        CniCode.IO_FAILURE,
        "A header line is longer than 8192 bytes");
    String[] many = new String[CniHttp.MAX_HEADERS + 1];
    for (int i = 0; i < many.length; i++) {
      many[i] = "X-H" + i + ": v";
    }
    assertRefused(head(many), 431, CniCode.IO_FAILURE, "More than 64 headers");
  }

  @Test
  void theReplyIsExactlyTheBodyWithItsLength() {
    byte[] reply = CniHttp.reply(200, "{\"cniVersion\":\"1.0.0\"}\n".getBytes(UTF_8));
    assertThat(new String(reply, ISO_8859_1))
        .isEqualTo(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 23\r\n"
                + "Connection: close\r\n\r\n{\"cniVersion\":\"1.0.0\"}\n");
    assertThat(new String(CniHttp.reply(500, new byte[0]), ISO_8859_1))
        .startsWith("HTTP/1.1 500 Internal Server Error\r\n")
        .contains("Content-Length: 0\r\n")
        .endsWith("\r\n\r\n");
  }
}
