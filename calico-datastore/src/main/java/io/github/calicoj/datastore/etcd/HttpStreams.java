package io.github.calicoj.datastore.etcd;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * The byte-level pieces of {@link HttpConnection}'s replies, each with its bound: CRLF lines
 * charged to a header budget, a body read by a deadline, the chunked transfer coding, and a stream
 * of watch messages each of bounded size.
 */
final class HttpStreams {
  private HttpStreams() {}

  /**
   * A reply beyond {@link HttpConnection#MAX_BODY_BYTES} or {@link
   * HttpConnection#MAX_HEADER_BYTES}.
   */
  static final class ReplyTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    ReplyTooLargeException(String message) {
      super(message);
    }
  }

  /**
   * One CRLF-terminated line (ISO-8859-1), without the terminator, charged to {@code budget[0]}.
   */
  static String readLine(InputStream in, int[] budget) throws IOException {
    StringBuilder sb = new StringBuilder(64);
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new EOFException("etcd closed the connection");
      }
      if (--budget[0] < 0) {
        throw new ReplyTooLargeException(
            "the reply's headers from etcd are over " + HttpConnection.MAX_HEADER_BYTES + " bytes");
      }
      if (c == '\n') {
        int n = sb.length();
        if (n > 0 && sb.charAt(n - 1) == '\r') {
          sb.setLength(n - 1);
        }
        return sb.toString();
      }
      sb.append((char) c);
    }
  }

  static String abbreviate(String text) {
    return text.length() <= 100 ? text : text.substring(0, 100) + "...";
  }

  static int remainingMillis(long deadline) throws SocketTimeoutException {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new SocketTimeoutException("deadline passed");
    }
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000));
  }

  /** Sets the socket's read timeout to what is left of the deadline before every read. */
  static final class DeadlineInputStream extends InputStream {
    private final Socket socket;
    private final InputStream in;
    long deadline; // 0 = none

    DeadlineInputStream(Socket socket, InputStream in) {
      this.socket = socket;
      this.in = in;
    }

    private void arm() throws IOException {
      if (deadline == 0) {
        socket.setSoTimeout(0);
      } else if (in.available() == 0) {
        socket.setSoTimeout(remainingMillis(deadline)); // throws once the deadline has passed
      } else if (deadline - System.nanoTime() <= 0) {
        throw new SocketTimeoutException("deadline passed"); // a fast, endless reply
      }
    }

    @Override
    public int read() throws IOException {
      arm();
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      arm();
      return in.read(b, off, len);
    }

    @Override
    public int available() throws IOException {
      return in.available();
    }
  }

  /**
   * A stream of messages (a watch) in which each message may take at most {@link
   * HttpConnection#MAX_BODY_BYTES}: {@link #next()} starts the count for the next one. Bytes read
   * ahead by a parser count towards the message being read, which is harmless at this limit.
   */
  static final class MessageLimit extends InputStream {
    private final InputStream in;
    private long count;

    MessageLimit(InputStream in) {
      this.in = in;
    }

    /** Starts counting a new message. */
    void next() {
      count = 0;
    }

    private void charge(int n) throws IOException {
      if (n > 0 && (count += n) > HttpConnection.MAX_BODY_BYTES) {
        throw new ReplyTooLargeException(
            "a message on etcd's watch stream is over " + HttpConnection.MAX_BODY_BYTES + " bytes");
      }
    }

    @Override
    public int read() throws IOException {
      int c = in.read();
      charge(c < 0 ? 0 : 1);
      return c;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      charge(n);
      return n;
    }
  }

  /** The chunked transfer coding (RFC 9112 §7.1), trailers read and dropped. */
  static final class ChunkedInputStream extends InputStream {
    private final InputStream in;
    private long left; // in the current chunk
    private boolean done;

    ChunkedInputStream(InputStream in) {
      this.in = in;
    }

    private boolean next() throws IOException {
      if (done) {
        return false;
      }
      if (left == 0) {
        int[] budget = {HttpConnection.MAX_HEADER_BYTES};
        String line = readLine(in, budget);
        int semi = line.indexOf(';');
        String size = (semi >= 0 ? line.substring(0, semi) : line).trim();
        try {
          left = Long.parseLong(size, 16);
        } catch (NumberFormatException e) {
          throw new IOException("Bad chunk size from etcd: " + abbreviate(line), e);
        }
        if (left < 0) {
          throw new IOException("Bad chunk size from etcd: " + abbreviate(line));
        }
        if (left == 0) {
          while (!readLine(in, budget).isEmpty()) {
            // trailer fields, e.g. Grpc-Trailer-Content-Type
          }
          done = true;
          return false;
        }
      }
      return true;
    }

    private void endOfChunk() throws IOException {
      if (left == 0) {
        readLine(in, new int[] {2}); // the CRLF after the chunk
      }
    }

    @Override
    public int read() throws IOException {
      if (!next()) {
        return -1;
      }
      int c = in.read();
      if (c < 0) {
        throw new EOFException("etcd closed the connection mid-chunk");
      }
      left--;
      endOfChunk();
      return c;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (!next()) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) {
        throw new EOFException("etcd closed the connection mid-chunk");
      }
      left -= n;
      endOfChunk();
      return n;
    }
  }
}
