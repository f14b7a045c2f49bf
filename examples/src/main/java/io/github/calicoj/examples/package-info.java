/** Example programs: the quickstart and the calicoctl-style CLI. */
@NullMarked
package io.github.calicoj.examples;

import org.jspecify.annotations.NullMarked;
