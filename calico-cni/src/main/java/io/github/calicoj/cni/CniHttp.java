package io.github.calicoj.cni;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@link CniServer}'s wire format, kept apart from the socket: one HTTP/1.1 exchange per
 * connection, so that {@code curl --unix-socket} is a client.
 *
 * <pre>
 * POST /cni HTTP/1.1
 * Content-Length: 312            (required; at most 4 MiB)
 * CNI_COMMAND: ADD               (ADD, DEL or CHECK)
 * CNI_CONTAINERID: 0123…
 * CNI_NETNS: /run/netns/…
 * CNI_IFNAME: eth0
 * CNI_ARGS: IP=10.0.0.7          (and CNI_PATH; a variable not sent is unset)
 *
 * {"cniVersion":"1.0.0", …}      (the network configuration, as the plugin reads it on stdin)
 * </pre>
 *
 * The reply's body is exactly what the plugin prints on stdout: status 200 with the result (empty
 * for DEL and CHECK), or an error status with the spec's error object. Every line ends in CR LF and
 * is at most {@value #MAX_LINE} bytes; at most {@value #MAX_HEADERS} header lines; header names are
 * tokens and values have no control characters (so no CR or LF); folded lines, {@code
 * Transfer-Encoding} and a second {@code Content-Length} or {@code CNI_*} header are refused.
 * {@code Expect: 100-continue} is answered. Other headers ({@code Host}, {@code User-Agent}, …) are
 * ignored. Stateless.
 */
final class CniHttp {
  /** The request target. */
  static final String PATH = "/cni";

  /** The longest line (request line or header), CR LF included. */
  static final int MAX_LINE = 8 << 10;

  /** The most header lines. */
  static final int MAX_HEADERS = 64;

  /** The {@code CNI_*} variables a request may carry. */
  static final List<String> VARIABLES =
      List.of("CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_ARGS", "CNI_PATH");

  /** The interim reply to {@code Expect: 100-continue}. */
  static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(ISO_8859_1);

  private CniHttp() {}

  /** A request as the plugin sees it: the variables sent and the configuration. Immutable. */
  static final class Request {
    private final Map<String, String> env;
    private final byte[] config;

    Request(Map<String, String> env, byte[] config) {
      this.env = Map.copyOf(env);
      this.config = config.clone();
    }

    /** The {@code CNI_*} variables sent (upper-case names). */
    Map<String, String> env() {
      return env;
    }

    /** The body: the network configuration. */
    byte[] config() {
      return config.clone();
    }
  }

  /** A request that is refused: the reply's status, and the CNI error its body carries. */
  static final class BadRequest extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient CniException error;

    BadRequest(int status, CniCode code, String msg) {
      super(msg);
      this.status = status;
      this.error = new CniException(code, msg);
    }

    /** The HTTP status. */
    int status() {
      return status;
    }

    /** The error object the reply carries. */
    CniException error() {
      return error;
    }
  }

  /**
   * Reads one request from {@code in} (buffered by the caller; nothing after the body is read).
   * {@code sendContinue} runs once the head is checked if the client waits for {@code 100
   * Continue}.
   *
   * @throws BadRequest for a request that breaks the rules above, naming what and why
   * @throws IOException if the stream fails or ends before the request does (nothing to answer)
   */
  static Request read(InputStream in, IoAction sendContinue) throws IOException, BadRequest {
    String requestLine = new String(line(in, "The request line"), ISO_8859_1);
    String[] parts = requestLine.split(" ", -1);
    if (parts.length != 3 || !parts[2].startsWith("HTTP/")) {
      throw new BadRequest(
          400, CniCode.IO_FAILURE, "Not an HTTP request line: " + printable(requestLine));
    }
    if (!parts[2].equals("HTTP/1.1") && !parts[2].equals("HTTP/1.0")) {
      throw new BadRequest(505, CniCode.IO_FAILURE, parts[2] + " is not HTTP/1.1");
    }
    if (!parts[0].equals("POST")) {
      throw new BadRequest(405, CniCode.IO_FAILURE, "Method " + parts[0] + " is not POST");
    }
    if (!parts[1].equals(PATH)) {
      throw new BadRequest(
          404, CniCode.IO_FAILURE, "No resource " + parts[1] + "; POST to " + PATH);
    }
    Map<String, String> env = new LinkedHashMap<>();
    long length = -1;
    boolean expectContinue = false;
    for (int n = 0; ; n++) {
      byte[] line = line(in, "A header line");
      if (line.length == 0) {
        break;
      }
      if (n == MAX_HEADERS) {
        throw new BadRequest(431, CniCode.IO_FAILURE, "More than " + MAX_HEADERS + " headers");
      }
      int colon = indexOf(line, (byte) ':');
      String name = colon < 0 ? "" : new String(line, 0, colon, ISO_8859_1);
      if (!isToken(name)) {
        throw new BadRequest(
            400,
            CniCode.IO_FAILURE,
            "Not a header line (a token, a colon, a value): "
                + printable(new String(line, ISO_8859_1)));
      }
      String value = value(line, colon + 1, name);
      String upper = name.toUpperCase(Locale.ROOT);
      switch (upper) {
        case "CONTENT-LENGTH" -> length = contentLength(value, length);
        case "TRANSFER-ENCODING" ->
            throw new BadRequest(
                501, CniCode.IO_FAILURE, "Transfer-Encoding is not supported; send Content-Length");
        case "EXPECT" -> {
          if (!value.equalsIgnoreCase("100-continue")) {
            throw new BadRequest(417, CniCode.IO_FAILURE, "Expect: " + value + " is not supported");
          }
          expectContinue = true;
        }
        default -> {
          if (upper.startsWith("CNI_")) {
            if (!VARIABLES.contains(upper)) {
              throw new BadRequest(
                  400,
                  CniCode.INVALID_ENVIRONMENT,
                  "Header "
                      + name
                      + " is not a CNI variable ("
                      + String.join(", ", VARIABLES)
                      + ")");
            }
            if (env.putIfAbsent(upper, value) != null) {
              throw new BadRequest(
                  400, CniCode.INVALID_ENVIRONMENT, "Header " + upper + " is given twice");
            }
          }
        }
      }
    }
    String command = env.getOrDefault("CNI_COMMAND", "");
    if (!command.equals("ADD") && !command.equals("DEL") && !command.equals("CHECK")) {
      throw new BadRequest(
          400,
          CniCode.INVALID_ENVIRONMENT,
          command.isEmpty()
              ? "Header CNI_COMMAND is missing"
              : "CNI_COMMAND " + command + " is not ADD, DEL or CHECK");
    }
    if (length < 0) {
      throw new BadRequest(
          411, CniCode.IO_FAILURE, "Content-Length is required (the configuration's size)");
    }
    if (expectContinue) {
      sendContinue.run();
    }
    byte[] body = in.readNBytes((int) length);
    if (body.length < length) {
      throw new EOFException(
          "The connection ended after " + body.length + " of " + length + " bytes of the body");
    }
    return new Request(env, body);
  }

  /** Something that writes to the connection. */
  @FunctionalInterface
  interface IoAction {
    /** Does it. */
    void run() throws IOException;
  }

  /** The reply: status line, {@code Content-Type}, {@code Content-Length}, {@code Connection}. */
  static byte[] reply(int status, byte[] body) {
    String head =
        "HTTP/1.1 "
            + status
            + " "
            + reason(status)
            + "\r\nContent-Type: application/json\r\nContent-Length: "
            + body.length
            + "\r\nConnection: close\r\n\r\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream(head.length() + body.length);
    out.writeBytes(head.getBytes(ISO_8859_1));
    out.writeBytes(body);
    return out.toByteArray();
  }

  /** The reason phrase of the statuses this server sends. */
  static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 400 -> "Bad Request";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 411 -> "Length Required";
      case 413 -> "Content Too Large";
      case 417 -> "Expectation Failed";
      case 431 -> "Request Header Fields Too Large";
      case 500 -> "Internal Server Error";
      case 501 -> "Not Implemented";
      case 503 -> "Service Unavailable";
      case 505 -> "HTTP Version Not Supported";
      default -> "Status";
    };
  }

  /** One line without its CR LF; a bare CR or LF, or a line too long, is refused. */
  private static byte[] line(InputStream in, String what) throws IOException, BadRequest {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(128);
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("The connection ended inside the request's head");
      }
      if (b == '\r') {
        if (in.read() != '\n') {
          throw new BadRequest(400, CniCode.IO_FAILURE, what + " has a CR not followed by LF");
        }
        return buf.toByteArray();
      }
      if (b == '\n') {
        throw new BadRequest(400, CniCode.IO_FAILURE, what + " ends in LF without CR");
      }
      if (buf.size() + 2 >= MAX_LINE) {
        throw new BadRequest(
            431, CniCode.IO_FAILURE, what + " is longer than " + MAX_LINE + " bytes");
      }
      buf.write(b);
    }
  }

  /** The value after the colon, without the spaces around it; control characters are refused. */
  private static String value(byte[] line, int from, String name) throws BadRequest {
    int start = from;
    int end = line.length;
    while (start < end && (line[start] == ' ' || line[start] == '\t')) {
      start++;
    }
    while (end > start && (line[end - 1] == ' ' || line[end - 1] == '\t')) {
      end--;
    }
    for (int i = start; i < end; i++) {
      int c = line[i] & 0xff;
      if (c < 0x20 || c == 0x7f) {
        throw new BadRequest(
            400,
            name.toUpperCase(Locale.ROOT).startsWith("CNI_")
                ? CniCode.INVALID_ENVIRONMENT
                : CniCode.IO_FAILURE,
            "Header " + name + " has a control character (0x" + Integer.toHexString(c) + ")");
      }
    }
    return new String(line, start, end - start, UTF_8);
  }

  private static long contentLength(String value, long previous) throws BadRequest {
    if (value.isEmpty() || value.length() > 10 || !value.chars().allMatch(Character::isDigit)) {
      throw new BadRequest(
          400, CniCode.IO_FAILURE, "Content-Length " + value + " is not a byte count");
    }
    long n = Long.parseLong(value);
    if (previous >= 0) {
      throw new BadRequest(400, CniCode.IO_FAILURE, "Content-Length is given twice");
    }
    if (n > CalicoCni.MAX_CONFIG) {
      throw new BadRequest(
          413,
          CniCode.IO_FAILURE,
          "The configuration is larger than " + CalicoCni.MAX_CONFIG + " bytes (" + n + ")");
    }
    return n;
  }

  /** RFC 9110's token: one or more of the visible characters other than delimiters. */
  private static boolean isToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] a, byte b) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] == b) {
        return i;
      }
    }
    return -1;
  }

  /** The text with control characters as {@code \xNN}, at most 200 characters, for a message. */
  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < 200; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        b.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
