package io.github.calicoj.datastore.jetcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.datastore.DatastoreException;
import io.github.calicoj.datastore.DatastoreUnavailableException;
import io.github.calicoj.datastore.Key;
import io.grpc.Status;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class JetcdErrorsTest {
  private static final Key KEY = Key.of("/calicoj-test/k");

  @Test
  void aChannelClosedUnderAWriteIsUnavailableWithAnUnknownOutcome() {
    // What gRPC reports when the connection to a member that died is torn down under the call.
    Throwable failure =
        new ExecutionException(
            Status.UNKNOWN.withDescription("channel closed").asRuntimeException());
    DatastoreException e = JetcdErrors.translate(failure, "put", KEY, true, "etcd http://a");
    assertThat(e).isInstanceOf(DatastoreUnavailableException.class);
    assertThat(((DatastoreUnavailableException) e).outcomeUnknown()).isTrue();
    assertThat(e.getMessage()).contains("put /calicoj-test/k").contains("channel closed");
  }

  @Test
  void aChannelClosedIsALostConnectionThatAReadMaySendAgain() {
    // JetcdCalls sends a read again when this is true; a get that met a dying member's closed
    // channel 3 ms after the kill was handed to the caller while it was false.
    assertThat(
            JetcdErrors.isUnavailable(
                new ExecutionException(
                    Status.UNKNOWN.withDescription("channel closed").asRuntimeException())))
        .isTrue();
    assertThat(JetcdErrors.isUnavailable(Status.UNAVAILABLE.asRuntimeException())).isTrue();
    assertThat(
            JetcdErrors.isUnavailable(
                Status.UNKNOWN.withDescription("something else").asRuntimeException()))
        .isFalse();
    assertThat(JetcdErrors.isUnavailable(Status.INVALID_ARGUMENT.asRuntimeException())).isFalse();
  }

  @Test
  void anotherUnknownFailureStaysAPlainDatastoreException() {
    Throwable failure =
        new ExecutionException(
            Status.UNKNOWN.withDescription("something else").asRuntimeException());
    DatastoreException e = JetcdErrors.translate(failure, "put", KEY, true, "etcd http://a");
    assertThat(e).isNotInstanceOf(DatastoreUnavailableException.class);
  }
}
