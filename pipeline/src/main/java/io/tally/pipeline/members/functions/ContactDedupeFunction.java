package io.tally.pipeline.members.functions;

import io.tally.pipeline.members.records.ContactOutcome;
import io.tally.pipeline.members.records.ContactRow;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * SPEC §4.3, keyed by (audience, email): the first occurrence of an email in an audience becomes
 * its {@code email_contacts} row, every later one is a duplicate. The state is one flag per
 * distinct contact, spread over the subtasks by key (not a set per audience in the parallelism-1
 * import operator), and it is kept for as long as the contact is in the table: a later import into
 * the audience must still see it.
 *
 * <p>"First in (page, index) order" holds because the import operator runs one job per audience at
 * a time and emits a page's members in order on the one channel that reaches this key. A replay
 * restores these flags with the import operator's cursor from the same checkpoint, so it decides
 * exactly as the failure-free run did; the contact row itself is insert-only.
 */
public final class ContactDedupeFunction
        extends KeyedProcessFunction<String, ContactRow, ContactRow> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<ContactOutcome> OUTCOMES =
            new OutputTag<>("contact-outcomes", Types.POJO(ContactOutcome.class));

    private transient ValueState<Boolean> seen;

    /** The key: audience and email key; neither can contain U+0000 (SPEC §1.6, §4.1). */
    public static String key(ContactRow c) {
        return c.audienceId + '\u0000' + c.email;
    }

    @Override
    public void open(OpenContext openContext) {
        seen = getRuntimeContext().getState(new ValueStateDescriptor<>("seen", Types.BOOLEAN));
    }

    @Override
    public void processElement(ContactRow c, Context ctx, Collector<ContactRow> out)
            throws Exception {
        boolean fresh = seen.value() == null;
        if (fresh) {
            seen.update(true);
            out.collect(c);
        }
        ContactOutcome o = new ContactOutcome();
        o.audienceId = c.audienceId;
        o.jobId = c.jobId;
        o.fresh = fresh;
        ctx.output(OUTCOMES, o);
    }
}
