import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads the imports of the main sources and fails on a package cycle or an import that points up
 * (issue 11). Run as a single-file program: {@code java scripts/CheckLayers.java [ROOT]}, or
 * {@code scripts/check-layers.sh}; CI runs it.
 *
 * <p>The layers, bottom to top (an import may point down or stay inside its own unit):
 *
 * <pre>
 *   connectors.*                         Kafka, PostgreSQL, members HTTP — know no pipeline
 *   pipeline.runtime                     what the pipelines share: operator bases, status, sinks, user keys
 *   pipeline.config                      the typed configuration
 *   pipeline.chat | reviews | members    side by side, never importing each other
 *   pipeline.app                         the composition root that assembles the job
 *   pipeline.serve                       the HTTP API over the tables
 *   pipeline.cli                         the command line on top
 * </pre>
 *
 * Inside a pipeline the root package (its workflow and tables) sits on {@code functions}
 * (operators), which sits on {@code logic} (pure domain rules) and {@code records}; nothing
 * imports back up.
 */
public class CheckLayers {

    private static final Pattern PACKAGE = Pattern.compile("^package (io\\.tally\\.[\\w.]+);", Pattern.MULTILINE);
    private static final Pattern IMPORT =
            Pattern.compile("^import (?:static )?(io\\.tally\\.[\\w.]+);", Pattern.MULTILINE);
    private static final List<String> PIPELINES = List.of("chat", "reviews", "members");
    private static final Map<String, Integer> INSIDE_PIPELINE =
            Map.of("", 2, "functions", 1, "logic", 0, "records", 0);

    /** A package's place: the unit it belongs to and its rank (higher may import lower). */
    record Place(String unit, int rank, int innerRank) {}

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        Map<String, Set<String>> edges = new TreeMap<>();
        Map<String, String> example = new HashMap<>();
        for (String module : List.of("connectors", "pipeline")) {
            Path src = root.resolve(module).resolve("src/main/java");
            try (Stream<Path> files = Files.walk(src)) {
                for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    String text = Files.readString(file);
                    Matcher pm = PACKAGE.matcher(text);
                    if (!pm.find()) {
                        continue;
                    }
                    String from = pm.group(1);
                    edges.computeIfAbsent(from, k -> new TreeSet<>());
                    Matcher im = IMPORT.matcher(text);
                    while (im.find()) {
                        String to = packageOf(im.group(1));
                        if (!to.equals(from)) {
                            edges.get(from).add(to);
                            example.putIfAbsent(from + " -> " + to, root.relativize(file).toString());
                        }
                    }
                }
            }
        }
        List<String> problems = new ArrayList<>();
        for (var e : edges.entrySet()) {
            Place from = place(e.getKey(), problems);
            for (String to : e.getValue()) {
                Place target = place(to, problems);
                if (from == null || target == null) {
                    continue;
                }
                String why = violation(from, target);
                if (why != null) {
                    String edge = e.getKey() + " -> " + to;
                    problems.add(edge + ": " + why + " (" + example.get(edge) + ")");
                }
            }
        }
        for (List<String> cycle : cycles(edges)) {
            problems.add("packages that import each other in a cycle: " + String.join(", ", cycle));
        }
        int edgeCount = edges.values().stream().mapToInt(Set::size).sum();
        if (problems.isEmpty()) {
            System.out.printf(
                    "check-layers: %d packages, %d imports between them, no cycle, nothing points up%n",
                    edges.size(), edgeCount);
            return;
        }
        new TreeSet<>(problems).forEach(p -> System.out.println("check-layers: " + p));
        System.exit(1);
    }

    private static String packageOf(String importName) {
        List<String> parts = new ArrayList<>();
        for (String part : importName.split("\\.")) {
            if (Character.isUpperCase(part.charAt(0))) {
                break;
            }
            parts.add(part);
        }
        return String.join(".", parts);
    }

    private static Place place(String pkg, List<String> problems) {
        if (pkg.startsWith("io.tally.connectors")) {
            return new Place("connectors", 0, 0);
        }
        String rest = pkg.startsWith("io.tally.pipeline.") ? pkg.substring(18) : null;
        if (rest != null) {
            String top = rest.contains(".") ? rest.substring(0, rest.indexOf('.')) : rest;
            String sub = rest.contains(".") ? rest.substring(rest.indexOf('.') + 1) : "";
            if (PIPELINES.contains(top) && INSIDE_PIPELINE.containsKey(sub)) {
                return new Place(top, 3, INSIDE_PIPELINE.get(sub));
            }
            if (sub.isEmpty()) {
                switch (top) {
                    case "runtime":
                        return new Place(top, 1, 0);
                    case "config":
                        return new Place(top, 2, 0);
                    case "app":
                        return new Place(top, 4, 0);
                    case "serve":
                        return new Place(top, 5, 0);
                    case "cli":
                        return new Place(top, 6, 0);
                    default:
                        break;
                }
            }
        }
        problems.add(pkg + ": not in the layer map of scripts/CheckLayers.java; give it a layer there");
        return null;
    }

    private static String violation(Place from, Place to) {
        if (from.unit().equals(to.unit())) {
            return to.innerRank() > from.innerRank() ? "imports back up inside " + from.unit() : null;
        }
        if (to.rank() == from.rank()) {
            return "one pipeline imports another";
        }
        return to.rank() > from.rank() ? "imports a layer above (" + to.unit() + ")" : null;
    }

    /** Strongly connected components of more than one package (Tarjan). */
    private static List<List<String>> cycles(Map<String, Set<String>> edges) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<List<String>> out = new ArrayList<>();
        int[] counter = {0};
        for (String v : edges.keySet()) {
            if (!index.containsKey(v)) {
                strongConnect(v, edges, index, low, stack, onStack, out, counter);
            }
        }
        return out;
    }

    private static void strongConnect(
            String v,
            Map<String, Set<String>> edges,
            Map<String, Integer> index,
            Map<String, Integer> low,
            Deque<String> stack,
            Set<String> onStack,
            List<List<String>> out,
            int[] counter) {
        index.put(v, counter[0]);
        low.put(v, counter[0]++);
        stack.push(v);
        onStack.add(v);
        for (String w : edges.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                strongConnect(w, edges, index, low, stack, onStack, out, counter);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            List<String> component = new ArrayList<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                component.sort(null);
                out.add(component);
            }
        }
    }
}
