package io.tally.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.Iterator;
import java.util.Map;

/** The text form of {@code tally bench}'s report: the same figures as {@code --json}. */
final class BenchReport {
    private BenchReport() {}

    static void print(PrintStream out, JsonNode report) {
        for (Iterator<Map.Entry<String, JsonNode>> it = report.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> section = it.next();
            out.println(section.getKey());
            JsonNode tables = section.getValue().get("tables");
            for (Iterator<Map.Entry<String, JsonNode>> f = section.getValue().fields();
                    f.hasNext(); ) {
                Map.Entry<String, JsonNode> e = f.next();
                if (e.getKey().equals("tables")) {
                    continue;
                }
                if (e.getValue().isObject()) {
                    StringBuilder line = new StringBuilder();
                    e.getValue()
                            .fields()
                            .forEachRemaining(
                                    x ->
                                            line.append(line.length() == 0 ? "" : ", ")
                                                    .append(x.getKey())
                                                    .append(' ')
                                                    .append(x.getValue().asText()));
                    out.printf("  %-24s %s%n", e.getKey(), line);
                } else {
                    out.printf("  %-24s %s%n", e.getKey(), e.getValue().asText());
                }
            }
            if (tables != null) {
                out.printf("  %-24s %12s %12s %10s%n", "table", "rows", "writes", "writes/row");
                tables.fields()
                        .forEachRemaining(
                                t -> {
                                    long rows = t.getValue().get("rows").asLong();
                                    long writes = t.getValue().get("writes").asLong();
                                    out.printf(
                                            "  %-24s %12d %12d %10s%n",
                                            t.getKey(),
                                            rows,
                                            writes,
                                            rows == 0
                                                    ? "-"
                                                    : String.format(
                                                            "%.2f", (double) writes / rows));
                                });
            }
        }
    }
}
