package io.tally.pipeline.members.functions;

import io.tally.pipeline.members.logic.ImportJobVersion;
import io.tally.pipeline.members.logic.ImportStatus;
import io.tally.pipeline.members.records.AudienceRow;
import io.tally.pipeline.members.records.ContactOutcome;
import io.tally.pipeline.members.records.ImportJobRow;
import io.tally.pipeline.members.records.JobTally;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * SPEC §4.4, keyed by audience: joins the import operator's progress rows with the dedupe's contact
 * outcomes into the {@code import_jobs} rows (with {@code contacts_new} and {@code duplicates}) and
 * the audience's {@code email_audiences.member_count}.
 *
 * <p>A progress row is written once all outcomes of the pages it covers have arrived ({@code
 * contacts_new + duplicates >= members_seen - invalid}; the two inputs race, so a live row may
 * already count some of the next page). A finished job's row is therefore exact, and its entry
 * leaves the state as soon as it is written: nothing more can arrive for it (a repeated request
 * stops at the import operator). State per audience: the member count and the running jobs.
 *
 * <p>Replay safety (SPEC §1.8): the row's version is the progress version with the outcomes counted
 * in its low bits ({@link ImportJobVersion}); both only grow, and the final row's version is the
 * largest any run can write. {@code member_count} is its own version: it only grows.
 */
public final class ImportProgressFunction
        extends KeyedCoProcessFunction<String, ImportJobRow, ContactOutcome, ImportJobRow> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<AudienceRow> AUDIENCES =
            new OutputTag<>("email-audiences", Types.POJO(AudienceRow.class));

    private transient ValueState<Long> memberCount;
    private transient ValueState<Long> memberCountWritten;
    private transient MapState<String, JobTally> jobs;

    @Override
    public void open(OpenContext openContext) {
        memberCount =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("member-count", Types.LONG));
        memberCountWritten =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("member-count-written", Types.LONG));
        jobs =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "jobs", Types.STRING, Types.POJO(JobTally.class)));
    }

    @Override
    public void processElement1(ImportJobRow row, Context ctx, Collector<ImportJobRow> out)
            throws Exception {
        JobTally t = tally(row.jobId);
        if (t.latest == null || t.latest.version <= row.version) {
            t.latest = row;
            t.latestWritten = false;
        }
        writeIfComplete(row.jobId, t, ctx, out);
    }

    @Override
    public void processElement2(ContactOutcome o, Context ctx, Collector<ImportJobRow> out)
            throws Exception {
        JobTally t = tally(o.jobId);
        if (o.fresh) {
            t.contactsNew++;
            memberCount.update(count() + 1);
        } else {
            t.duplicates++;
        }
        writeIfComplete(o.jobId, t, ctx, out);
    }

    private JobTally tally(String jobId) throws Exception {
        JobTally t = jobs.get(jobId);
        return t == null ? new JobTally() : t;
    }

    private long count() throws Exception {
        Long c = memberCount.value();
        return c == null ? 0 : c;
    }

    private void writeIfComplete(String jobId, JobTally t, Context ctx, Collector<ImportJobRow> out)
            throws Exception {
        ImportJobRow p = t.latest;
        long counted = t.contactsNew + t.duplicates;
        if (p == null || t.latestWritten || counted < p.membersSeen - p.invalid) {
            jobs.put(jobId, t);
            return;
        }
        ImportJobRow r = copy(p);
        r.contactsNew = t.contactsNew;
        r.duplicates = t.duplicates;
        r.version = ImportJobVersion.withOutcomes(p.version, counted);
        out.collect(r);
        t.latestWritten = true;
        boolean finished = ImportStatus.of(p.status).isFinished();
        Long written = memberCountWritten.value();
        // SPEC §4.4: on completion the audience row holds the exact count, also when it is 0.
        if (finished || written == null || written != count()) {
            AudienceRow a = new AudienceRow();
            a.audienceId = ctx.getCurrentKey();
            a.memberCount = count();
            a.version = a.memberCount;
            ctx.output(AUDIENCES, a);
            memberCountWritten.update(a.memberCount);
        }
        if (finished) {
            jobs.remove(jobId);
        } else {
            jobs.put(jobId, t);
        }
    }

    private static ImportJobRow copy(ImportJobRow p) {
        ImportJobRow r = new ImportJobRow();
        r.jobId = p.jobId;
        r.audienceId = p.audienceId;
        r.listName = p.listName;
        r.priority = p.priority;
        r.status = p.status;
        r.attempts = p.attempts;
        r.pagesFetched = p.pagesFetched;
        r.totalPages = p.totalPages;
        r.membersSeen = p.membersSeen;
        r.invalid = p.invalid;
        r.error = p.error;
        r.requestedAt = p.requestedAt;
        r.startedAt = p.startedAt;
        r.completedAt = p.completedAt;
        r.completedDate = p.completedDate;
        return r;
    }
}
