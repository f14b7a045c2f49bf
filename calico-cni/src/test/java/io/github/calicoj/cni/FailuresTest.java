package io.github.calicoj.cni;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.core.CalicoException;
import io.github.calicoj.core.CalicoException.Reason;
import io.github.calicoj.datastore.DatastoreTimeoutException;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.PermissionDeniedException;
import io.github.calicoj.netns.NetnsException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class FailuresTest {

  private static CniCode code(Throwable t) {
    return Failures.toCni(t, "ADD of container c1").code();
  }

  @Test
  void datastoreFailures() {
    DatastoreTimeoutException timeout =
        new DatastoreTimeoutException("get /calico/v1 timed out after 5000 ms", null, false, null);
    assertThat(code(timeout)).isEqualTo(CniCode.TRY_AGAIN_LATER);
    assertThat(
            code(
                new PermissionDeniedException(
                    "put /calico/v1/x: permission denied", Key.of("/calico/v1/x"), null)))
        .isEqualTo(CniCode.DATASTORE_FAILED);
  }

  @Test
  void sdkReasons() {
    assertThat(
            code(CalicoException.of(Reason.ALREADY_CONFIGURED, "c1 has already been configured")))
        .isEqualTo(CniCode.ALREADY_CONFIGURED);
    assertThat(code(CalicoException.of(Reason.ADDRESS_ALREADY_ASSIGNED, "taken")))
        .isEqualTo(CniCode.ADDRESS_UNAVAILABLE);
    assertThat(code(CalicoException.of(Reason.POOL_NOT_FOUND, "10.9.9.9 is not in any pool")))
        .isEqualTo(CniCode.ADDRESS_UNAVAILABLE);
    assertThat(code(CalicoException.of(Reason.POOL_EXHAUSTED, "full")))
        .isEqualTo(CniCode.POOL_EXHAUSTED);
    assertThat(code(CalicoException.of(Reason.OUTCOME_UNKNOWN, "unconfirmed")))
        .isEqualTo(CniCode.TRY_AGAIN_LATER);
    assertThat(code(CalicoException.of(Reason.INTERFACE_EXISTS, "eth0 exists")))
        .isEqualTo(CniCode.INVALID_ENVIRONMENT);
    assertThat(code(CalicoException.of(Reason.PROFILE_IN_USE, "in use")))
        .isEqualTo(CniCode.INTERNAL);
  }

  @Test
  void otherFailures() {
    assertThat(
            code(
                new NetnsException(
                    "RTM_NEWLINK", "cali1 type veth", 17, "EEXIST", "File exists", null, null)))
        .isEqualTo(CniCode.DATAPLANE_FAILED);
    assertThat(code(new IllegalArgumentException("Invalid CIDR: x")))
        .isEqualTo(CniCode.INVALID_CONFIG);
    assertThat(code(new IllegalStateException("boom"))).isEqualTo(CniCode.INTERNAL);
    CniException own = new CniException(CniCode.CHECK_FAILED, "differs");
    assertThat(Failures.toCni(own, "CHECK")).isSameAs(own);
  }

  @Test
  void theMessageNamesTheOperationAndTheDetailsTheCauses() {
    IllegalStateException rollback = new IllegalStateException("could not delete cali1");
    DatastoreTimeoutException e =
        new DatastoreTimeoutException(
            "commit failed: cannot connect",
            null,
            false,
            new ConnectException("Connection refused"));
    e.addSuppressed(rollback);
    CniException c = Failures.toCni(e, "ADD of container c1");
    assertThat(c.msg()).isEqualTo("ADD of container c1 failed: commit failed: cannot connect");
    assertThat(c.details())
        .isEqualTo(
            "io.github.calicoj.datastore.DatastoreTimeoutException: commit failed: cannot connect\n"
                + "suppressed: java.lang.IllegalStateException: could not delete cali1\n"
                + "caused by: java.net.ConnectException: Connection refused");
    assertThat(c.toJson("1.0.0").path("details").asText()).isEqualTo(c.details());
    assertThat(c.getCause()).isSameAs(e);
  }
}
