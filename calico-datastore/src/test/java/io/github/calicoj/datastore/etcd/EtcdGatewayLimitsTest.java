package io.github.calicoj.datastore.etcd;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.calicoj.datastore.DatastoreException;
import io.github.calicoj.datastore.DatastoreTimeoutException;
import io.github.calicoj.datastore.DatastoreUnavailableException;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.Revision;
import io.github.calicoj.datastore.WatchEvent;
import io.github.calicoj.datastore.WatchHandle;
import io.github.calicoj.datastore.WatchListener;
import io.github.calicoj.testkit.SocketFds;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.ThrowingSupplier;

/**
 * {@link EtcdGatewayDatastore} against a misbehaving gateway ({@link FakeGateway}): every reply is
 * bounded in size and time, a refusal that etcd makes before applying a write is retried within the
 * call's one deadline, and an answer that leaves a write's outcome open is not.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class EtcdGatewayLimitsTest {
  private static final Duration TIMEOUT = Duration.ofMillis(1500);

  /** Scheduling noise allowed beyond the request timeout. */
  private static final Duration SLACK = Duration.ofMillis(750);

  private static final Key KEY = Key.of("/calicoj-test/limits");

  private static EtcdGatewayDatastore client(String endpoint) {
    return EtcdGatewayDatastore.builder().endpoints(endpoint).requestTimeout(TIMEOUT).build();
  }

  /** Runs {@code call}, returns how long it took, and checks it stayed within the bound. */
  private static <T> Duration bounded(ThrowingSupplier<T> call, List<Throwable> thrown) {
    long start = System.nanoTime();
    try {
      call.get();
    } catch (Throwable t) {
      thrown.add(t);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(took).isLessThan(TIMEOUT.plus(SLACK));
    return took;
  }

  private static void chunkedHead(OutputStream out) throws IOException {
    out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(ISO_8859_1));
  }

  @Test
  void anEndlessChunkedBodyIsAClearErrorNotAnOutOfMemoryError() throws Exception {
    byte[] chunk = new byte[64 * 1024];
    Arrays.fill(chunk, (byte) 'x');
    try (FakeGateway fake =
            new FakeGateway(
                (path, body, out) -> {
                  chunkedHead(out);
                  while (true) {
                    out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(ISO_8859_1));
                    out.write(chunk);
                    out.write("\r\n".getBytes(ISO_8859_1));
                  }
                });
        EtcdGatewayDatastore store = client(fake.endpoint())) {
      List<Throwable> thrown = new ArrayList<>();
      bounded(() -> store.get(KEY), thrown);
      assertThat(thrown)
          .singleElement()
          .isInstanceOfSatisfying(
              DatastoreUnavailableException.class,
              e -> {
                assertThat(e).hasMessageContaining("32 MiB").hasMessageContaining(KEY.path());
                assertThat(e.outcomeUnknown()).isFalse();
              });
      assertThat(fake.paths).as("not retried: the member is broken").hasSize(1);
    }
  }

  @Test
  void aHugeContentLengthIsRefusedBeforeReading() throws Exception {
    try (FakeGateway fake =
            new FakeGateway(
                (path, body, out) -> {
                  out.write(
                      "HTTP/1.1 200 OK\r\nContent-Length: 10000000000\r\n\r\n"
                          .getBytes(ISO_8859_1));
                  out.flush();
                });
        EtcdGatewayDatastore store = client(fake.endpoint())) {
      assertThatThrownBy(() -> store.put(KEY, "v"))
          .isInstanceOfSatisfying(
              DatastoreUnavailableException.class,
              e -> {
                assertThat(e).hasMessageContaining("10000000000 bytes");
                assertThat(e.outcomeUnknown()).isTrue(); // the put was sent
              });
    }
  }

  @Test
  void endlessHeadersAreAClearError() throws Exception {
    try (FakeGateway fake =
            new FakeGateway(
                (path, body, out) -> {
                  out.write("HTTP/1.1 200 OK\r\n".getBytes(ISO_8859_1));
                  for (int i = 0; ; i++) {
                    out.write(("X-Filler-" + i + ": yes\r\n").getBytes(ISO_8859_1));
                  }
                });
        EtcdGatewayDatastore store = client(fake.endpoint())) {
      List<Throwable> thrown = new ArrayList<>();
      bounded(() -> store.get(KEY), thrown);
      assertThat(thrown).singleElement().asString().contains("headers").contains("65536 bytes");
    }
  }

  @Test
  void aTricklingReplyEndsAtTheTimeout() throws Exception {
    try (FakeGateway fake =
            new FakeGateway(
                (path, body, out) -> {
                  out.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n".getBytes(ISO_8859_1));
                  while (true) {
                    out.write('{');
                    out.flush();
                    sleep(50);
                  }
                });
        EtcdGatewayDatastore store = client(fake.endpoint())) {
      List<Throwable> thrown = new ArrayList<>();
      Duration took = bounded(() -> store.get(KEY), thrown);
      assertThat(thrown).singleElement().isInstanceOf(DatastoreTimeoutException.class);
      assertThat(took).isGreaterThanOrEqualTo(TIMEOUT.minusMillis(50));
    }
  }

  @Test
  void aWriteIntoAPeerThatNeverReadsEndsAtTheTimeout() throws Exception {
    // The peer accepts but never reads: once both socket buffers are full the client's write
    // blocks, which no read timeout covers; the watchdog ends it at the deadline.
    try (ServerSocket deaf = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        EtcdGatewayDatastore store = client("http://127.0.0.1:" + deaf.getLocalPort())) {
      List<Socket> accepted = new ArrayList<>();
      CompletableFuture<Void> acceptor =
          CompletableFuture.runAsync(
              () -> {
                try {
                  accepted.add(deaf.accept());
                } catch (IOException e) {
                  // closed by the test
                }
              });
      String big = "x".repeat(32 << 20);
      List<Throwable> thrown = new ArrayList<>();
      bounded(() -> store.put(KEY, big), thrown);
      assertThat(thrown)
          .singleElement()
          .isInstanceOfSatisfying(
              DatastoreTimeoutException.class, e -> assertThat(e.outcomeUnknown()).isTrue());
      acceptor.get(5, TimeUnit.SECONDS);
      for (Socket s : accepted) {
        s.close();
      }
    }
  }

  @Test
  void leaderChangedIsRetriedAndTheWriteAppliedOnce() throws Exception {
    AtomicInteger puts = new AtomicInteger();
    try (FakeGateway fake =
            new FakeGateway(
                (path, body, out) -> {
                  if (puts.incrementAndGet() == 1) {
                    FakeGateway.json(
                        out,
                        503,
                        "{\"error\":\"etcdserver: leader changed\",\"code\":14,"
                            + "\"message\":\"etcdserver: leader changed\"}");
                  } else {
                    FakeGateway.json(out, 200, "{\"header\":{\"revision\":\"7\"}}");
                  }
                });
        EtcdGatewayDatastore store = client(fake.endpoint())) {
      assertThat(store.put(KEY, "v").revision()).isEqualTo(Revision.of(7));
      assertThat(fake.paths).containsExactly("/v3/kv/put", "/v3/kv/put");
    }
  }

  @Test
  void aTimedOutProposalIsNotRetriedAndItsOutcomeIsUnknown() throws Exception {
    try (FakeGateway fake =
            new FakeGateway(
                (path, body, out) ->
                    FakeGateway.json(
                        out,
                        503,
                        "{\"error\":\"etcdserver: request timed out\",\"code\":14,"
                            + "\"message\":\"etcdserver: request timed out\"}"));
        EtcdGatewayDatastore store = client(fake.endpoint())) {
      assertThatThrownBy(() -> store.put(KEY, "v"))
          .isInstanceOfSatisfying(
              DatastoreUnavailableException.class,
              e -> {
                assertThat(e.outcomeUnknown()).isTrue();
                assertThat(e).hasMessageContaining("request timed out");
              });
      assertThat(fake.paths).containsExactly("/v3/kv/put");
    }
  }

  @Test
  void aReadIsRetriedOnUnavailable() throws Exception {
    AtomicInteger ranges = new AtomicInteger();
    String value = Base64.getEncoder().encodeToString("v".getBytes(ISO_8859_1));
    String key = Base64.getEncoder().encodeToString(KEY.path().getBytes(ISO_8859_1));
    try (FakeGateway fake =
            new FakeGateway(
                (path, body, out) -> {
                  if (ranges.incrementAndGet() == 1) {
                    FakeGateway.json(
                        out,
                        503,
                        "{\"error\":\"etcdserver: request timed out\",\"code\":14,"
                            + "\"message\":\"etcdserver: request timed out\"}");
                  } else {
                    FakeGateway.json(
                        out,
                        200,
                        "{\"header\":{\"revision\":\"9\"},\"kvs\":[{\"key\":\""
                            + key
                            + "\",\"value\":\""
                            + value
                            + "\",\"mod_revision\":\"8\"}],\"count\":\"1\"}");
                  }
                });
        EtcdGatewayDatastore store = client(fake.endpoint())) {
      assertThat(store.get(KEY).orElseThrow().value()).isEqualTo("v");
      assertThat(fake.paths).hasSize(2);
    }
  }

  @Test
  void retriesEndAtTheOneDeadline() throws Exception {
    try (FakeGateway fake =
            new FakeGateway(
                (path, body, out) ->
                    FakeGateway.json(
                        out,
                        503,
                        "{\"error\":\"etcdserver: leader changed\",\"code\":14,"
                            + "\"message\":\"etcdserver: leader changed\"}"));
        EtcdGatewayDatastore store = client(fake.endpoint())) {
      List<Throwable> thrown = new ArrayList<>();
      Duration took = bounded(() -> store.put(KEY, "v"), thrown);
      assertThat(thrown)
          .singleElement()
          .isInstanceOfSatisfying(
              DatastoreTimeoutException.class,
              // Unknown only if the last attempt was still in flight at the deadline.
              e -> assertThat(e).hasMessageContaining("leader changed"));
      assertThat(took).isGreaterThanOrEqualTo(TIMEOUT.minusMillis(50));
      assertThat(fake.paths.size()).isGreaterThan(3);
    }
  }

  @Test
  void aWatchMessageOverTheLimitIsReportedNotBuffered() throws Exception {
    byte[] filler = new byte[64 * 1024];
    Arrays.fill(filler, (byte) ' ');
    try (FakeGateway fake =
            new FakeGateway(
                (path, body, out) -> {
                  if (!path.equals("/v3/watch")) {
                    FakeGateway.json(out, 200, "{\"header\":{\"revision\":\"5\"},\"count\":\"0\"}");
                    return;
                  }
                  chunkedHead(out);
                  byte[] open = "{\"result\":{\"events\":[".getBytes(ISO_8859_1);
                  out.write((Integer.toHexString(open.length) + "\r\n").getBytes(ISO_8859_1));
                  out.write(open);
                  out.write("\r\n".getBytes(ISO_8859_1));
                  while (true) {
                    out.write((Integer.toHexString(filler.length) + "\r\n").getBytes(ISO_8859_1));
                    out.write(filler);
                    out.write("\r\n".getBytes(ISO_8859_1));
                  }
                });
        EtcdGatewayDatastore store = client(fake.endpoint())) {
      BlockingQueue<DatastoreException> broken = new LinkedBlockingQueue<>();
      try (WatchHandle w =
          store.watch(
              KEY,
              Revision.of(5),
              new WatchListener() {
                @Override
                public void onEvent(WatchEvent event) {}

                @Override
                public void onDisconnected(DatastoreException cause) {
                  broken.add(cause);
                }
              })) {
        DatastoreException cause = broken.poll(20, TimeUnit.SECONDS);
        assertThat(cause).isNotNull();
        assertThat(cause).hasMessageContaining("watch stream is over");
        assertThat(w.isActive()).isTrue();
      }
    }
  }

  @Test
  void closeAbortsACallInFlightAndLeavesNoSocket() throws Exception {
    Set<String> before = SocketFds.open();
    try (FakeGateway fake = new FakeGateway((path, body, out) -> sleep(60_000))) {
      EtcdGatewayDatastore store =
          EtcdGatewayDatastore.builder()
              .endpoints(fake.endpoint())
              .requestTimeout(Duration.ofSeconds(30))
              .build();
      CompletableFuture<Object> call = CompletableFuture.supplyAsync(() -> store.get(KEY));
      while (fake.paths.isEmpty()) {
        Thread.sleep(10);
      }
      long start = System.nanoTime();
      store.close();
      assertThatThrownBy(() -> call.get(5, TimeUnit.SECONDS))
          .hasCauseInstanceOf(DatastoreUnavailableException.class)
          .hasMessageContaining("closed");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }
    // The fake server closed its ends; the client must have closed its own.
    assertThat(SocketFds.leftOver(before, Duration.ofSeconds(2))).isEmpty();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
