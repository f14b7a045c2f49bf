package io.github.calicoj.node.internal.status;

/**
 * A local endpoint's status as Felix reported it; combining several results keeps the worst ({@code
 * error} over {@code down} over {@code up}).
 */
public enum EndpointStatus {
  /** Programmed, its interface up. */
  UP("up"),
  /** Interface missing or down, or the endpoint inactive. */
  DOWN("down"),
  /** Its data is invalid or programming it failed. */
  ERROR("error");

  private final String text;

  EndpointStatus(String text) {
    this.text = text;
  }

  /** The reference's value: {@code {"status": "up"}}. */
  public String json() {
    return "{\"status\": \"" + text + "\"}";
  }

  /** {@code up}, {@code down} or {@code error}. */
  public String text() {
    return text;
  }

  /** The worse of the two. */
  public EndpointStatus worst(EndpointStatus other) {
    return compareTo(other) >= 0 ? this : other; // declared from best to worst
  }
}
