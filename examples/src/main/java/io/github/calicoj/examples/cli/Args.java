package io.github.calicoj.examples.cli;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** docopt-style argument handling for one command: options out first, positionals after. */
final class Args {
  private final List<String> args;

  Args(List<String> args) {
    this.args = new ArrayList<>(args);
  }

  /** Removes {@code --name} and says whether it was there. */
  boolean flag(String name) {
    return args.remove(name);
  }

  /** {@link #option(String, String)} with a default, so never null. */
  String optionOr(String name, String dflt) {
    String v = option(name, dflt);
    return v == null ? dflt : v;
  }

  /** Removes {@code --name=V} or {@code --name V} and returns V, or the default. */
  @Nullable String option(String name, @Nullable String dflt) {
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.startsWith(name + "=")) {
        args.remove(i);
        return a.substring(name.length() + 1);
      }
      if (a.equals(name)) {
        args.remove(i);
        if (i >= args.size()) {
          throw usage("Option " + name + " needs a value.");
        }
        return args.remove(i);
      }
    }
    return dflt;
  }

  /** The next positional argument, or a usage error naming what was expected. */
  String next(String what) {
    if (args.isEmpty()) {
      throw usage("Missing " + what + ".");
    }
    String a = args.remove(0);
    if (a.startsWith("--")) {
      throw usage("Unknown option " + a + ".");
    }
    return a;
  }

  /** The next positional argument if any. */
  @Nullable String peek() {
    return args.isEmpty() ? null : args.get(0);
  }

  /** All remaining positional arguments. */
  List<String> rest() {
    for (String a : args) {
      if (a.startsWith("--")) {
        throw usage("Unknown option " + a + ".");
      }
    }
    List<String> r = new ArrayList<>(args);
    args.clear();
    return r;
  }

  /** Fails if anything is left over. */
  void done() {
    if (!args.isEmpty()) {
      throw usage("Unexpected arguments: " + String.join(" ", args));
    }
  }

  static CliException usage(String message) {
    return new CliException(message + " See 'calicoctl --help'.", 1, true);
  }
}
