package io.tally.pipeline.members.functions;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.connectors.members.LocalMembersApi;
import io.tally.connectors.members.MembersPage.Member;
import io.tally.pipeline.members.logic.Credentials;
import io.tally.pipeline.members.records.ContactOutcome;
import io.tally.pipeline.members.records.ContactRow;
import io.tally.pipeline.members.records.ImportJobRow;
import io.tally.pipeline.members.records.ImportRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.storage.FileSystemCheckpointStorage;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 item 3, measured: imports N contacts (default 20 000; {@code
 * -Dtally.members.contacts=1000000} for the reported figure) from the local members API with the
 * rate limit lifted, through the three members operators, and prints each one's checkpoint size.
 * Not a timed assertion; it checks only that the import operator's state no longer grows with the
 * contacts.
 */
class MembersCheckpointSizeTest {
    @TempDir Path dir;

    @Test
    void checkpointSizeOfAnImport() throws Exception {
        int n = Integer.getInteger("tally.members.contacts", 20_000);
        try (LocalMembersApi api = LocalMembersApi.start(0)) {
            api.requireSecret("s");
            Path secret = dir.resolve("s");
            Files.writeString(secret, "s");
            // Four audiences of n/4, so that the four workers run side by side.
            List<String> urls = new java.util.ArrayList<>();
            for (int a = 0; a < 4; a++) {
                List<Member> members = LocalMembersApi.generate(5 + a, n / 4, 0.1, 0.02);
                urls.add(api.baseUrl() + api.addAudience("big" + a, members));
            }

            var imports =
                    new OneInputStreamOperatorTestHarness<ImportRequest, ImportJobRow>(
                            new MemberImportOperator(
                                    4,
                                    1_000_000,
                                    new Credentials(
                                            Map.of("whop-main", secret.toString()),
                                            Map.of("WHOP_MAIN", List.of(api.baseUrl() + "/api/"))),
                                    ZoneOffset.UTC,
                                    Duration.ofSeconds(30)));
            imports.open();
            // File-backed checkpoint storage: at 1 M contacts the dedupe's snapshot is over the
            // 5 MiB that in-memory checkpoint storage allows.
            var dedupe =
                    new KeyedOneInputStreamOperatorTestHarness<String, ContactRow, ContactRow>(
                            new KeyedProcessOperator<>(new ContactDedupeFunction()),
                            ContactDedupeFunction::key,
                            Types.STRING);
            dedupe.setCheckpointStorage(
                    new FileSystemCheckpointStorage(dir.resolve("checkpoints").toUri()));
            dedupe.open();
            var progress =
                    new KeyedTwoInputStreamOperatorTestHarness<
                            String, ImportJobRow, ContactOutcome, ImportJobRow>(
                            new KeyedCoProcessOperator<>(new ImportProgressFunction()),
                            r -> r.audienceId,
                            o -> o.audienceId,
                            Types.STRING);
            progress.open();

            for (int a = 0; a < 4; a++) {
                ImportRequest r = new ImportRequest();
                r.jobId = "job-big" + a;
                r.audienceId = "aud-big" + a;
                r.sourceUrl = urls.get(a);
                r.credential = "whop-main";
                imports.processElement(new StreamRecord<>(r));
            }
            long started = System.nanoTime();
            ImportJobRow last = null;
            int completed = 0;
            long pages = 0;
            while (completed < 4) {
                Optional<Mail> mail;
                while ((mail = imports.getTaskMailbox().tryTake(TaskMailbox.MIN_PRIORITY))
                        .isPresent()) {
                    mail.get().run();
                }
                imports.setProcessingTime(imports.getProcessingTime() + 1);
                // Hand each operator's output on, and drop it: only the state is measured.
                var candidates = imports.getSideOutput(MemberImportOperator.CANDIDATES);
                if (candidates != null) {
                    for (Object c; (c = candidates.poll()) != null; ) {
                        dedupe.processElement((StreamRecord<ContactRow>) c);
                    }
                }
                var outcomes = dedupe.getSideOutput(ContactDedupeFunction.OUTCOMES);
                if (outcomes != null) {
                    for (Object o; (o = outcomes.poll()) != null; ) {
                        progress.processElement2((StreamRecord<ContactOutcome>) o);
                    }
                }
                dedupe.getOutput().clear();
                for (Object o; (o = imports.getOutput().poll()) != null; ) {
                    if (o instanceof StreamRecord<?> s) {
                        last = (ImportJobRow) s.getValue();
                        progress.processElement1(new StreamRecord<>(last));
                        if ("completed".equals(last.status)) {
                            completed++;
                            pages += last.pagesFetched;
                        }
                    }
                }
                progress.getOutput().clear();
            }
            long seconds = (System.nanoTime() - started) / 1_000_000_000L;
            long importState = imports.snapshot(1, imports.getProcessingTime()).getStateSize();
            long dedupeState = dedupe.snapshot(1, 0).getStateSize();
            long progressState = progress.snapshot(1, 0).getStateSize();
            System.out.printf(
                    "members checkpoint for %,d contacts (%,d pages, %d s): import operator %,d"
                            + " bytes, contact dedupe %,d bytes (%,d keys), progress %,d bytes%n",
                    n,
                    pages,
                    seconds,
                    importState,
                    dedupeState,
                    dedupe.numKeyedStateEntries(),
                    progressState);
            assertThat(importState).isLessThan(10_000);
            imports.close();
            dedupe.close();
            progress.close();
        }
    }
}
