/**
 * Keeping Calico's data in step with the workloads' lives: {@link
 * io.github.calicoj.core.lifecycle.DockerFollower} follows Docker's events, removing the Calico
 * state of destroyed containers and re-plumbing restarted ones.
 */
@NullMarked
package io.github.calicoj.core.lifecycle;

import org.jspecify.annotations.NullMarked;
