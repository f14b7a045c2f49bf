package io.github.calicoj.examples.cli;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The shared base of calicoctl's command groups ({@code container}, {@code profile}, {@code pool},
 * {@code node}, {@code endpoint}, {@code ipam}): a name, a one-line summary, the usage lines and
 * the options. These are the only copy: {@code calicoctl <group> --help} prints them, a usage error
 * quotes the usage line of the command it is in, and {@link Args} parses options by them. Instances
 * are stateless; one of each group is in {@link Calicoctl#COMMANDS}.
 */
abstract class Command {
  /**
   * An option of a command: a flag ({@code --detailed}) or an option with a value ({@code
   * --interface=<INTERFACE>}, also given as {@code --interface eth2}), and its help line.
   */
  record Option(String spec, String help) {
    /** {@code --interface}. */
    String name() {
      int eq = spec.indexOf('=');
      return eq < 0 ? spec : spec.substring(0, eq);
    }

    /** Whether the option takes a value. */
    boolean takesValue() {
      return spec.indexOf('=') >= 0;
    }
  }

  private final String name;
  private final String summary;
  private final List<String> usages;
  private final List<Option> options;

  /**
   * A command group. Each usage line starts with the group's name and leaves out {@code calicoctl}.
   */
  Command(String name, String summary, List<String> usages, List<Option> options) {
    this.name = name;
    this.summary = summary;
    this.usages = List.copyOf(usages);
    this.options = List.copyOf(options);
  }

  /** {@code container}. */
  final String name() {
    return name;
  }

  /** One line for {@code calicoctl --help}. */
  final String summary() {
    return summary;
  }

  /** The option called {@code name} ({@code --interface}), or null if this group has none. */
  final @Nullable Option option(String name) {
    for (Option o : options) {
      if (o.name().equals(name)) {
        return o;
      }
    }
    return null;
  }

  /**
   * The usage line quoted by a usage error raised before the command knew which of its forms it
   * runs.
   */
  final String synopsis() {
    return usages.size() == 1
        ? usages.get(0)
        : name + " <command> ...  (see 'calicoctl " + name + " --help')";
  }

  /**
   * Runs the command on its arguments (everything after the group's name) and returns the exit
   * code. Failures are thrown: a {@link CliException} with its message and exit code, or an
   * exception of the SDK, which {@link Calicoctl} reports.
   */
  abstract int run(Args a, Cli cli);

  /** Lines that {@code --help} prints under the usage; none by default. */
  String notes() {
    return "";
  }

  /** What {@code calicoctl <name> --help} prints. */
  final String help() {
    StringBuilder b = new StringBuilder(summary).append(".\n\nUsage:\n");
    for (String u : usages) {
      b.append("  calicoctl ").append(u).append('\n');
    }
    if (!notes().isEmpty()) {
      b.append('\n').append(notes()).append('\n');
    }
    if (!options.isEmpty()) {
      b.append("\nOptions:\n");
      int width = 0;
      for (Option o : options) {
        width = Math.max(width, o.spec().length());
      }
      for (Option o : options) {
        b.append("  ")
            .append(o.spec())
            .append(" ".repeat(width - o.spec().length() + 2))
            .append(o.help())
            .append('\n');
      }
    }
    return b.append("\nExit codes: see 'calicoctl --help'.").toString();
  }
}
