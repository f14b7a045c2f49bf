package io.github.calicoj.examples.cli;

import static io.github.calicoj.examples.cli.Messages.echo;

import io.github.calicoj.core.AlreadyExistsException;
import io.github.calicoj.core.NotFoundException;
import io.github.calicoj.core.WireFormat;
import io.github.calicoj.core.codec.RulesJson;
import io.github.calicoj.core.model.Names;
import io.github.calicoj.core.model.Rule;
import io.github.calicoj.core.model.Rules;
import io.github.calicoj.core.repository.Profiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** {@code calicoctl profile}: profiles, their tags and their rules. */
final class ProfileCommand extends Command {
  private static final String SHOW = "profile show [--detailed]";
  private static final String ADD = "profile add <PROFILE>";
  private static final String REMOVE = "profile remove <PROFILE> [--no-check]";
  private static final String TAG_SHOW = "profile <PROFILE> tag show";
  private static final String TAG_CHANGE = "profile <PROFILE> tag (add|remove) <TAG>";
  private static final String RULE_ADD =
      "profile <PROFILE> rule add (inbound|outbound) [--at=<POSITION>] <RULE>";
  private static final String RULE_REMOVE =
      "profile <PROFILE> rule remove (inbound|outbound) (--at=<POSITION> | <RULE>)";
  private static final String RULE_SHOW = "profile <PROFILE> rule (show|json)";
  private static final String RULE_UPDATE = "profile <PROFILE> rule update";

  ProfileCommand() {
    super(
        "profile",
        "Configure endpoint profiles, their tags and rules",
        List.of(
            SHOW, ADD, REMOVE, TAG_SHOW, TAG_CHANGE, RULE_ADD, RULE_REMOVE, RULE_SHOW, RULE_UPDATE),
        List.of(
            new Option("--detailed", "Show the endpoints of each profile"),
            new Option("--no-check", "Remove the profile even if endpoints use it"),
            new Option(
                "--at=<POSITION>", "The rule's position, from 1 [default: after the last rule]")));
  }

  @Override
  String notes() {
    return RuleParser.GRAMMAR + "\nrule update reads the rules as JSON from stdin.";
  }

  @Override
  int run(Args a, Cli cli) {
    String first = a.next("show, add, remove or <PROFILE>");
    switch (first) {
      case "show" -> {
        a.form(SHOW);
        boolean detailed = a.flag("--detailed");
        a.done();
        List<String> names = cli.client().profiles().names();
        if (detailed) {
          cli.print(
              EndpointTable.byProfile(names, cli.client().workloadEndpoints().list()).toString());
        } else {
          Table t = new Table("Name");
          names.forEach(t::add);
          cli.print(t.toString());
        }
        return 0;
      }
      case "add" -> {
        a.form(ADD);
        String name = a.next("<PROFILE>");
        a.done();
        checkName(name);
        try {
          cli.client().profiles().create(name);
          cli.print("Created profile " + name);
        } catch (AlreadyExistsException e) {
          cli.print("Profile " + name + " already exists.");
        }
        return 0;
      }
      case "remove" -> {
        a.form(REMOVE);
        boolean noCheck = a.flag("--no-check");
        String name = a.next("<PROFILE>");
        a.done();
        checkName(name);
        try {
          cli.client().profiles().remove(name, noCheck);
          cli.print("Deleted profile " + name);
        } catch (NotFoundException e) {
          cli.print(Messages.of(e)); // the reference's notice, exit 0
        }
        return 0;
      }
      default -> {
        return ofProfile(first, a, cli);
      }
    }
  }

  private static void checkName(String name) {
    if (!Names.isValidId(name)) {
      throw new CliException(Names.PROFILE_NAME_RULE);
    }
  }

  /** {@code profile <PROFILE> (tag|rule) ...}. */
  private static int ofProfile(String name, Args a, Cli cli) {
    checkName(name);
    String what = a.next("tag or rule");
    if (!what.equals("tag") && !what.equals("rule")) {
      throw a.usage("Unknown profile command " + echo(what) + ".");
    }
    if (!cli.client().profiles().exists(name)) {
      throw new CliException("Profile " + name + " not found.");
    }
    if (what.equals("tag")) {
      a.form(TAG_CHANGE);
      tag(name, a.next("show, add or remove"), a, cli);
    } else {
      rule(name, a.next("add, remove, show, json or update"), a, cli);
    }
    return 0;
  }

  private static void tag(String name, String verb, Args a, Cli cli) {
    Profiles profiles = cli.client().profiles();
    switch (verb) {
      case "show" -> {
        a.form(TAG_SHOW);
        a.done();
        profiles.require(name).tags().forEach(cli::print);
      }
      case "add" -> {
        String tag = a.next("<TAG>");
        a.done();
        if (!Names.isValidId(tag)) {
          throw new CliException(Names.TAG_RULE);
        }
        profiles.addTag(name, tag);
        cli.print("Tag " + tag + " added to profile " + name);
      }
      case "remove" -> {
        String tag = a.next("<TAG>");
        a.done();
        profiles.removeTag(name, tag); // NotFoundException: "Tag T is not on profile P", exit 1
        cli.print("Tag " + tag + " removed from profile " + name);
      }
      default -> throw a.usage("Unknown tag command " + echo(verb) + ".");
    }
  }

  private static void rule(String name, String verb, Args a, Cli cli) {
    Profiles profiles = cli.client().profiles();
    switch (verb) {
      case "show" -> {
        a.form(RULE_SHOW);
        a.done();
        Rules rules = profiles.require(name).rules();
        cli.print("Inbound rules:");
        for (int i = 0; i < rules.inbound().size(); i++) {
          cli.print(String.format(" %3d %s", i + 1, rules.inbound().get(i).pprint()));
        }
        cli.print("Outbound rules:");
        for (int i = 0; i < rules.outbound().size(); i++) {
          cli.print(String.format(" %3d %s", i + 1, rules.outbound().get(i).pprint()));
        }
      }
      case "json" -> {
        a.form(RULE_SHOW);
        a.done();
        cli.print(
            RulesJson.write(
                name, profiles.require(name).rules(), WireFormat.ERA_A.withExtendedRules(true)));
      }
      case "update" -> {
        a.form(RULE_UPDATE);
        a.done();
        String json;
        try {
          json = new String(cli.in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new CliException("Cannot read rules from stdin: " + Messages.of(e), e);
        }
        Optional<String> id = RulesJson.id(json);
        if (id.isPresent() && !id.get().equals(name)) {
          throw new CliException(
              "Rules JSON \"id\"=" + echo(id.get()) + " doesn't match profile name " + name + ".");
        }
        profiles.updateRules(name, RulesJson.parse(json, cli.settings().wireFormat()));
        cli.print("Successfully updated rules on profile " + name);
      }
      case "add", "remove" -> {
        boolean add = verb.equals("add");
        a.form(add ? RULE_ADD : RULE_REMOVE);
        String direction = a.next("inbound or outbound");
        if (!direction.equals("inbound") && !direction.equals("outbound")) {
          throw a.usage("Expected inbound or outbound, got " + echo(direction) + ".");
        }
        boolean inbound = direction.equals("inbound");
        Integer position = position(a.option("--at"));
        if (!add && position != null) {
          a.done();
          // IllegalArgumentException "Rule position out-of-range.": exit 1, as for rule add.
          profiles.removeRule(name, inbound, position);
          return;
        }
        Rule rule = RuleParser.parse(a);
        if (add) {
          boolean added =
              position == null
                  ? profiles.addRule(name, inbound, rule)
                  : profiles.addRule(name, inbound, rule, position.intValue());
          if (!added) {
            cli.print("Rule already present, skipping.");
          }
        } else {
          try {
            profiles.removeRule(name, inbound, rule);
          } catch (NotFoundException e) {
            throw new CliException("Rule not found.");
          }
        }
      }
      default -> throw a.usage("Unknown rule command " + echo(verb) + ".");
    }
  }

  /** {@code --at}'s value: a whole number in ASCII digits, or null if not given. */
  private static @Nullable Integer position(@Nullable String at) {
    if (at == null) {
      return null;
    }
    try {
      return Inputs.integer(at);
    } catch (NumberFormatException e) {
      throw new CliException("Invalid --at position: " + echo(at));
    }
  }
}
