package io.tally.pipeline.members;

import io.tally.connectors.kafka.ParsedRecord;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.members.functions.ContactDedupeFunction;
import io.tally.pipeline.members.functions.ImportProgressFunction;
import io.tally.pipeline.members.functions.MemberImportOperator;
import io.tally.pipeline.members.logic.Credentials;
import io.tally.pipeline.members.records.ContactRow;
import io.tally.pipeline.members.records.ImportJobRow;
import io.tally.pipeline.members.records.ImportRequest;
import io.tally.pipeline.runtime.StatusDelta;
import io.tally.pipeline.runtime.TallySinks;
import io.tally.pipeline.runtime.ValidRecordSplitter;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The members pipeline (SPEC §4): import requests → the import operator (fetching, retries, cursor)
 * → keyed contact dedupe → email_contacts; progress rows and dedupe outcomes, keyed by audience →
 * import_jobs, email_audiences (import_stats_daily is a view over import_jobs).
 */
public final class MembersWorkflow {
    public static final String PIPELINE = "members";
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private MembersWorkflow() {}

    public static DataStream<StatusDelta> define(
            DataStream<ParsedRecord<ImportRequest>> parsed, TallyConfig config, TallySinks sinks) {
        SingleOutputStreamOperator<ImportRequest> requests =
                parsed.transform(
                                "Validate import requests",
                                Types.POJO(ImportRequest.class),
                                new ValidRecordSplitter<ImportRequest>(PIPELINE))
                        .uid("members-validate");
        sinks.deadLetters(requests.getSideOutput(ValidRecordSplitter.DEAD_LETTERS), PIPELINE);

        // Parallelism 1: the worker limit and the request rate are global (SPEC §4.2). It keeps
        // the jobs only; the emails are deduped downstream, keyed by (audience, email).
        SingleOutputStreamOperator<ImportJobRow> progress =
                requests.global()
                        .transform(
                                "Member imports (SPEC 4.2-4.4)",
                                Types.POJO(ImportJobRow.class),
                                new MemberImportOperator(
                                        config.maxConcurrentJobs,
                                        config.requestsPerSecond,
                                        new Credentials(
                                                config.credentialFiles,
                                                config.credentialAllowedUrls),
                                        config.timezone,
                                        REQUEST_TIMEOUT))
                        .setParallelism(1)
                        .setMaxParallelism(1)
                        .uid("members-imports");

        SingleOutputStreamOperator<ContactRow> contacts =
                progress.getSideOutput(MemberImportOperator.CANDIDATES)
                        .keyBy(ContactDedupeFunction::key, Types.STRING)
                        .process(new ContactDedupeFunction(), Types.POJO(ContactRow.class))
                        .name("Contact dedupe (SPEC 4.3)")
                        .uid("members-contact-dedupe");
        sinks.upsert(contacts, MembersTables.contacts());

        SingleOutputStreamOperator<ImportJobRow> jobs =
                progress.keyBy(r -> r.audienceId, Types.STRING)
                        .connect(
                                contacts.getSideOutput(ContactDedupeFunction.OUTCOMES)
                                        .keyBy(o -> o.audienceId, Types.STRING))
                        .process(new ImportProgressFunction(), Types.POJO(ImportJobRow.class))
                        .name("Import progress (SPEC 4.4)")
                        .uid("members-progress");
        sinks.upsert(jobs, MembersTables.importJobs());
        sinks.upsert(
                jobs.getSideOutput(ImportProgressFunction.AUDIENCES), MembersTables.audiences());
        return requests.getSideOutput(ValidRecordSplitter.STATUS);
    }
}
