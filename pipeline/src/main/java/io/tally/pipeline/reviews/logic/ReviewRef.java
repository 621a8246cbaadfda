package io.tally.pipeline.reviews.logic;

/**
 * What pairing needs of one active review (SPEC §3.2): its id (the tie-break), its creation time
 * and whether its sentiment is {@code positive} (neutral and negative are both "not positive").
 */
public record ReviewRef(String id, long ts, boolean positive) {}
