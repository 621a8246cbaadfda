package io.tally.connectors.postgres;

import java.io.Serializable;
import java.util.function.Predicate;

/**
 * A {@link Predicate} that travels with the job graph (flink-core has serializable functions and
 * suppliers, but no predicate).
 */
@FunctionalInterface
public interface SerializablePredicate<T> extends Predicate<T>, Serializable {}
