package io.github.calicoj.core.repository;

import static java.util.Objects.requireNonNull;

import io.github.calicoj.core.AlreadyExistsException;
import io.github.calicoj.core.CalicoException.Reason;
import io.github.calicoj.core.ConflictException;
import io.github.calicoj.core.NotFoundException;
import io.github.calicoj.core.WireFormat;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.codec.ProfileJson;
import io.github.calicoj.core.codec.RulesJson;
import io.github.calicoj.core.internal.Retry;
import io.github.calicoj.core.model.Names;
import io.github.calicoj.core.model.Profile;
import io.github.calicoj.core.model.Rule;
import io.github.calicoj.core.model.Rules;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Guard;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.ResourceAlreadyExistsException;
import io.github.calicoj.datastore.ResourceNotFoundException;
import io.github.calicoj.datastore.RevisionConflictException;
import io.github.calicoj.datastore.Snapshot;
import io.github.calicoj.datastore.Transaction;
import io.github.calicoj.datastore.TxnResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Profiles in the datastore: create with the reference's defaults, tags, rules and labels, each
 * changed with compare-and-set, and removal that refuses while endpoints use the profile.
 * Thread-safe; borrows the datastore.
 */
public final class Profiles {
  private final Datastore datastore;
  private final WireFormat format;
  private final WorkloadEndpoints endpoints;

  /** Profiles in {@code datastore}; {@code endpoints} answers "is it in use". */
  public Profiles(Datastore datastore, WireFormat format, WorkloadEndpoints endpoints) {
    this.datastore = requireNonNull(datastore, "datastore");
    this.format = requireNonNull(format, "format");
    this.endpoints = requireNonNull(endpoints, "endpoints");
  }

  /** True if the profile has any key. */
  public boolean exists(String name) {
    Names.checkProfileName(name);
    return !datastore.list(CalicoKeys.profile(name)).isEmpty();
  }

  /**
   * Creates a profile with tag NAME and the default rules ({@code profile add}).
   *
   * @throws AlreadyExistsException "Profile NAME already exists." if it exists
   */
  public Profile create(String name) {
    return create(Profile.withDefaults(Names.checkNewProfileName(name)));
  }

  /**
   * Creates a profile; tags, rules (and labels, where the format has them) are written in one
   * transaction that requires the profile to be absent.
   *
   * @throws AlreadyExistsException if it exists
   */
  public Profile create(Profile profile) {
    requireNonNull(profile, "profile");
    String name = Names.checkNewProfileName(profile.name());
    Transaction.Builder txn =
        Transaction.builder()
            .guard(Guard.absent(CalicoKeys.profileTags(name)))
            .guard(Guard.absent(CalicoKeys.profileRules(name)))
            .put(CalicoKeys.profileTags(name), ProfileJson.tags(profile.tags()))
            .put(CalicoKeys.profileRules(name), RulesJson.write(name, profile.rules(), format));
    if (format.writeLabels()) {
      txn.put(CalicoKeys.profileLabels(name), ProfileJson.labels(profile.labels()));
    }
    TxnResult r = datastore.commit(txn.build());
    if (!r.succeeded()) {
      throw new AlreadyExistsException(
          Reason.PROFILE_EXISTS, "Profile " + name + " already exists.");
    }
    return new Profile(
        name, profile.tags(), profile.rules(), profile.labels(), r.revision(), r.revision());
  }

  /** The profile, if it exists. Missing tags or rules keys leave the defaults. */
  public Optional<Profile> get(String name) {
    Names.checkProfileName(name);
    Snapshot s = datastore.list(CalicoKeys.profile(name));
    if (s.isEmpty()) {
      return Optional.empty();
    }
    List<String> tags = List.of(name);
    Rules rules = Rules.defaultsFor(name);
    Map<String, String> labels = Map.of();
    KeyValue tagsKv = null;
    KeyValue rulesKv = null;
    for (KeyValue kv : s.entries()) {
      if (kv.key().equals(CalicoKeys.profileTags(name))) {
        tags = ProfileJson.readTags(kv.value());
        tagsKv = kv;
      } else if (kv.key().equals(CalicoKeys.profileRules(name))) {
        rules = RulesJson.read(kv.value());
        rulesKv = kv;
      } else if (kv.key().equals(CalicoKeys.profileLabels(name))) {
        labels = ProfileJson.readLabels(kv.value());
      }
    }
    return Optional.of(
        new Profile(
            name,
            tags,
            rules,
            labels,
            tagsKv == null ? null : tagsKv.revision(),
            rulesKv == null ? null : rulesKv.revision()));
  }

  /**
   * The profile.
   *
   * @throws NotFoundException "Profile NAME not found."
   */
  public Profile require(String name) {
    return get(name)
        .orElseThrow(
            () ->
                new NotFoundException(Reason.PROFILE_NOT_FOUND, "Profile " + name + " not found."));
  }

  /** Every profile name, sorted. */
  public List<String> names() {
    TreeSet<String> names = new TreeSet<>();
    int depth = CalicoKeys.PROFILES.path().length();
    for (KeyValue kv : datastore.list(CalicoKeys.PROFILES).entries()) {
      String rest = kv.key().path().substring(depth);
      int slash = rest.indexOf('/');
      if (slash > 0) {
        names.add(rest.substring(0, slash));
      }
    }
    return List.copyOf(names);
  }

  /**
   * Adds a tag (validated, unlike the reference). Returns false if it was already there.
   *
   * @throws NotFoundException if the profile does not exist
   */
  public boolean addTag(String name, String tag) {
    Names.checkTag(tag);
    boolean[] added = {false};
    modifyTags(
        name,
        tags -> {
          if (tags.contains(tag)) {
            return tags;
          }
          added[0] = true;
          List<String> t = new ArrayList<>(tags);
          t.add(tag);
          return t;
        });
    return added[0];
  }

  /**
   * Removes a tag.
   *
   * @throws NotFoundException if the profile does not exist, or "Tag T is not on profile P"
   */
  public void removeTag(String name, String tag) {
    modifyTags(
        name,
        tags -> {
          if (!tags.contains(tag)) {
            throw new NotFoundException(
                Reason.TAG_NOT_FOUND, "Tag " + tag + " is not on profile " + name);
          }
          List<String> t = new ArrayList<>(tags);
          t.remove(tag);
          return t;
        });
  }

  /** Replaces the rules (compare-and-set). */
  public Rules updateRules(String name, Rules rules) {
    requireNonNull(rules, "rules");
    return modifyRules(name, r -> rules);
  }

  /**
   * Appends a rule. An identical rule already in the list is not added again.
   *
   * @return false if the rule was already present
   */
  public boolean addRule(String name, boolean inbound, Rule rule) {
    return insertRule(name, inbound, rule, null);
  }

  /**
   * Inserts a rule at a 1-based position ({@code size + 1} = at the end). An identical rule already
   * in the list is not added again.
   *
   * @return false if the rule was already present
   * @throws IllegalArgumentException "Position N is out-of-range." (the reference inserted anyway;
   *     this library refuses)
   */
  public boolean addRule(String name, boolean inbound, Rule rule, int position) {
    return insertRule(name, inbound, rule, position);
  }

  /**
   * Inserts a rule at a 1-based position, or at the end for {@code null}.
   *
   * @deprecated use {@link #addRule(String, boolean, Rule)} to append or {@link #addRule(String,
   *     boolean, Rule, int)} to insert at a position
   */
  @Deprecated
  public boolean addRule(String name, boolean inbound, Rule rule, @Nullable Integer position) {
    return insertRule(name, inbound, rule, position);
  }

  private boolean insertRule(String name, boolean inbound, Rule rule, @Nullable Integer position) {
    requireNonNull(rule, "rule");
    boolean[] added = {false};
    modifyRules(
        name,
        rules -> {
          List<Rule> list = new ArrayList<>(inbound ? rules.inbound() : rules.outbound());
          if (list.contains(rule)) {
            return rules;
          }
          int at = position == null ? list.size() + 1 : position;
          if (at < 1 || at > list.size() + 1) {
            throw new IllegalArgumentException("Position " + position + " is out-of-range.");
          }
          list.add(at - 1, rule);
          added[0] = true;
          return inbound ? new Rules(list, rules.outbound()) : new Rules(rules.inbound(), list);
        });
    return added[0];
  }

  /**
   * Removes the rule at a 1-based position.
   *
   * @throws IllegalArgumentException "Rule position out-of-range."
   */
  public Rule removeRule(String name, boolean inbound, int position) {
    Rule[] removed = {null};
    modifyRules(
        name,
        rules -> {
          List<Rule> list = new ArrayList<>(inbound ? rules.inbound() : rules.outbound());
          if (position < 1 || position > list.size()) {
            throw new IllegalArgumentException("Rule position out-of-range.");
          }
          removed[0] = list.remove(position - 1);
          return inbound ? new Rules(list, rules.outbound()) : new Rules(rules.inbound(), list);
        });
    return removed[0];
  }

  /**
   * Removes the first rule equal to {@code rule}.
   *
   * @throws NotFoundException "Rule not found."
   */
  public void removeRule(String name, boolean inbound, Rule rule) {
    modifyRules(
        name,
        rules -> {
          List<Rule> list = new ArrayList<>(inbound ? rules.inbound() : rules.outbound());
          if (!list.remove(rule)) {
            throw new NotFoundException(Reason.RULE_NOT_FOUND, "Rule not found.");
          }
          return inbound ? new Rules(list, rules.outbound()) : new Rules(rules.inbound(), list);
        });
  }

  /** Writes the labels key. */
  public void setLabels(String name, Map<String, String> labels) {
    require(name);
    datastore.put(CalicoKeys.profileLabels(name), ProfileJson.labels(labels));
  }

  /**
   * Deletes the profile.
   *
   * @param force delete even while endpoints use it (they keep dangling profile ids)
   * @throws NotFoundException "Profile NAME not found."
   * @throws ConflictException ({@link Reason#PROFILE_IN_USE}) with the reference's message, unless
   *     forced
   */
  public void remove(String name, boolean force) {
    Names.checkProfileName(name);
    if (!exists(name)) {
      throw new NotFoundException(Reason.PROFILE_NOT_FOUND, "Profile " + name + " not found.");
    }
    if (!force && !endpoints.membersOf(name).isEmpty()) {
      throw new ConflictException(
          Reason.PROFILE_IN_USE,
          "Cannot remove profile - profile in use by endpoint(s).\n"
              + "Use the '--no-check' flag to remove the profile anyway.");
    }
    datastore.deletePrefix(CalicoKeys.profile(name));
  }

  private void modifyTags(String name, UnaryOperator<List<String>> change) {
    Key key = CalicoKeys.profileTags(name);
    modifyKey(
        name,
        key,
        json ->
            ProfileJson.tags(
                change.apply(json == null ? List.of(name) : ProfileJson.readTags(json))));
  }

  private Rules modifyRules(String name, UnaryOperator<Rules> change) {
    Key key = CalicoKeys.profileRules(name);
    Rules[] out = {null};
    modifyKey(
        name,
        key,
        json -> {
          Rules rules = change.apply(json == null ? Rules.defaultsFor(name) : RulesJson.read(json));
          out[0] = rules;
          return RulesJson.write(name, rules, format);
        });
    return out[0];
  }

  /** Compare-and-set loop on one key of an existing profile. */
  private void modifyKey(String name, Key key, UnaryOperator<@Nullable String> change) {
    Names.checkProfileName(name);
    Retry.cas(
        "updating profile " + name,
        () -> {
          Optional<KeyValue> current = datastore.get(key);
          if (current.isEmpty() && !exists(name)) {
            throw new NotFoundException(
                Reason.PROFILE_NOT_FOUND, "Profile " + name + " not found.");
          }
          String updated = change.apply(current.map(KeyValue::value).orElse(null));
          if (current.isPresent() && updated.equals(current.get().value())) {
            return Boolean.TRUE;
          }
          try {
            if (current.isPresent()) {
              datastore.update(key, updated, current.get().revision());
            } else {
              datastore.create(key, updated);
            }
            return Boolean.TRUE;
          } catch (RevisionConflictException
              | ResourceNotFoundException
              | ResourceAlreadyExistsException e) {
            return null; // raced with another writer: re-read
          }
        });
  }
}
