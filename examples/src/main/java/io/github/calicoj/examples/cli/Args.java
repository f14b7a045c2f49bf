package io.github.calicoj.examples.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One command's arguments, docopt-style: options are recognised anywhere before a {@code --} by the
 * command's option table ({@code --name=V} or {@code --name V} for an option with a value), and
 * positionals are taken in order. A branch of the command names the usage line it runs ({@link
 * #form}); a usage error then quotes that line. A problem with an option is reported when the
 * branch finishes reading ({@link #done()} or {@link #rest()}), so it too quotes the right line.
 * Not thread-safe.
 */
final class Args {
  private final Command command;
  private final List<String> positionals = new ArrayList<>();
  private final Map<String, Given> options = new LinkedHashMap<>();
  private @Nullable String problem;
  private @Nullable String form;

  /** An option as given: its value (null for a flag), and whether the command knows its name. */
  private record Given(@Nullable String value, boolean known) {}

  /** The arguments after the group's name. */
  Args(Command command, List<String> args) {
    this.command = command;
    boolean literal = false;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (literal || !a.startsWith("--")) {
        positionals.add(a);
        continue;
      }
      if (a.equals("--")) {
        literal = true;
        continue;
      }
      int eq = a.indexOf('=');
      String name = eq < 0 ? a : a.substring(0, eq);
      Command.Option option = command.option(name);
      String value = eq < 0 ? null : a.substring(eq + 1);
      if (option != null && option.takesValue() && value == null) {
        if (i + 1 < args.size()) {
          value = args.get(++i);
        } else {
          problem(name + " needs a value.");
        }
      }
      if (options.putIfAbsent(name, new Given(value, option != null)) != null) {
        problem(Messages.echo(name) + " is given more than once.");
      }
    }
  }

  private void problem(String message) {
    if (problem == null) {
      problem = message;
    }
  }

  /** The usage line (without {@code calicoctl}) that usage errors from here on quote. */
  void form(String usage) {
    form = usage;
  }

  /** Takes the flag {@code --name}; says whether it was given. */
  boolean flag(String name) {
    Given g = options.remove(name);
    if (g != null && g.value() != null) {
      throw usage(name + " takes no value.");
    }
    return g != null;
  }

  /** Takes the option {@code --name}'s value; null if it was not given. */
  @Nullable String option(String name) {
    Given g = options.remove(name);
    return g == null ? null : g.value();
  }

  /** {@link #option(String)}, or {@code dflt} if it was not given. */
  String optionOr(String name, String dflt) {
    String v = option(name);
    return v == null ? dflt : v;
  }

  /**
   * The next positional argument; a usage error naming {@code what} if there is none (or naming a
   * bad option, which may be why there is none).
   */
  String next(String what) {
    if (positionals.isEmpty()) {
      checkOptions();
      throw usage("Missing " + what + ".");
    }
    return positionals.remove(0);
  }

  /** All remaining positional arguments; a usage error if an option is left over. */
  List<String> rest() {
    checkOptions();
    List<String> r = new ArrayList<>(positionals);
    positionals.clear();
    return r;
  }

  /** A usage error if any argument or option is left over. */
  void done() {
    checkOptions();
    if (!positionals.isEmpty()) {
      StringBuilder b =
          new StringBuilder(
              positionals.size() == 1 ? "Unexpected argument" : "Unexpected arguments");
      for (String p : positionals) {
        b.append(' ').append(Messages.echo(p));
      }
      throw usage(b.append('.').toString());
    }
  }

  private void checkOptions() {
    if (problem != null) {
      throw usage(problem);
    }
    for (Map.Entry<String, Given> e : options.entrySet()) {
      String name = Messages.echo(e.getKey());
      if (e.getValue().known()) {
        throw usage(name + " does not apply to this command.");
      }
      throw usage(
          Calicoctl.isGlobalOption(e.getKey())
              ? "Unknown option " + name + ": global options go before the command."
              : "Unknown option " + name + ".");
    }
  }

  /** A usage error: {@code message}, then the usage line of the command. */
  CliException usage(String message) {
    return CliException.usage(message, form != null ? form : command.synopsis());
  }
}
