package io.tally.pipeline.members;

import io.tally.connectors.kafka.ParsedRecord;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.job.StatusDelta;
import io.tally.pipeline.job.TallySinks;
import io.tally.pipeline.job.ValidRecordSplitter;
import io.tally.pipeline.members.functions.MemberImportOperator;
import io.tally.pipeline.members.records.ImportJobRow;
import io.tally.pipeline.members.records.ImportRequest;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The members pipeline (SPEC §4): import requests → the import operator (fetching, retries, dedupe,
 * progress) → import_jobs, email_contacts, email_audiences, import_stats_daily.
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

        // Parallelism 1: the worker limit and the request rate are global (SPEC §4.2).
        SingleOutputStreamOperator<ImportJobRow> jobs =
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
        sinks.upsert(jobs, MembersTables.importJobs());
        sinks.upsert(jobs.getSideOutput(MemberImportOperator.CONTACTS), MembersTables.contacts());
        sinks.upsert(jobs.getSideOutput(MemberImportOperator.AUDIENCES), MembersTables.audiences());
        sinks.upsert(
                jobs.getSideOutput(MemberImportOperator.DAILY_STATS), MembersTables.dailyStats());
        return requests.getSideOutput(ValidRecordSplitter.STATUS);
    }
}
