package io.tally.pipeline.reviews.records;

/** A risk-level change of a user (SPEC §3.5). */
public class R4rAlert {
    public String userkey;
    public String username;
    public String from;
    public String to;
    public int score;

    /** The evaluation's asOf, epoch ms. */
    public long at;

    public R4rAlert() {}
}
