package io.kvstore.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.ArrayDeque;
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
import org.junit.jupiter.api.Test;

/**
 * The layering of the node's main code, read from its sources: no package cycles, and the
 * sans-IO cores import neither Netty nor the transport (the transport is the outermost layer).
 */
class PackageDependenciesTest {
  private static final Path SOURCES = Path.of("src/main/java");
  private static final String ROOT = "io.kvstore.node";
  /** Adapters: the only packages allowed to touch Netty and the transport. The root wires the node. */
  private static final Set<String> ADAPTERS = Set.of(ROOT, ROOT + ".transport");
  /** Any mention of a class of another package: imports, and fully qualified names in code. */
  private static final Pattern REFERENCE =
      Pattern.compile("\\b(io\\.kvstore\\.node(?:\\.[a-z][a-z0-9]*)*)\\.[A-Z]");
  private static final Pattern NETTY = Pattern.compile("\\bio\\.netty\\.");

  private record Source(String pkg, Path file, String text) {}

  private static List<Source> sources() throws IOException {
    try (Stream<Path> files = Files.walk(SOURCES)) {
      List<Source> out = new ArrayList<>();
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String pkg = SOURCES.relativize(f.getParent()).toString().replace('/', '.');
        out.add(new Source(pkg, f, Files.readString(f)));
      }
      return out;
    }
  }

  /** package → packages it references (other than itself). */
  static Map<String, Set<String>> graph(List<Source> sources) {
    Map<String, Set<String>> graph = new TreeMap<>();
    for (Source s : sources) {
      Set<String> deps = graph.computeIfAbsent(s.pkg(), k -> new TreeSet<>());
      Matcher m = REFERENCE.matcher(s.text());
      while (m.find()) {
        if (!m.group(1).equals(s.pkg())) {
          deps.add(m.group(1));
        }
      }
    }
    return graph;
  }

  /** The strongly connected components with more than one package (Tarjan). */
  static List<Set<String>> cycles(Map<String, Set<String>> graph) {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new TreeSet<>();
    List<Set<String>> cycles = new ArrayList<>();
    int[] counter = {0};
    for (String v : graph.keySet()) {
      if (!index.containsKey(v)) {
        connect(v, graph, index, low, stack, onStack, cycles, counter);
      }
    }
    return cycles;
  }

  private static void connect(String v, Map<String, Set<String>> graph, Map<String, Integer> index,
      Map<String, Integer> low, Deque<String> stack, Set<String> onStack, List<Set<String>> cycles,
      int[] counter) {
    index.put(v, counter[0]);
    low.put(v, counter[0]++);
    stack.push(v);
    onStack.add(v);
    for (String w : graph.getOrDefault(v, Set.of())) {
      if (!index.containsKey(w)) {
        connect(w, graph, index, low, stack, onStack, cycles, counter);
        low.put(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.contains(w)) {
        low.put(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v).equals(index.get(v))) {
      Set<String> component = new TreeSet<>();
      String w;
      do {
        w = stack.pop();
        onStack.remove(w);
        component.add(w);
      } while (!w.equals(v));
      if (component.size() > 1) {
        cycles.add(component);
      }
    }
  }

  @Test
  void noPackageCycles() throws IOException {
    Map<String, Set<String>> graph = graph(sources());
    assertThat(graph).as("the sources were found").containsKey(ROOT + ".request");
    assertThat(cycles(graph)).as("package cycles in %s", graph).isEmpty();
  }

  @Test
  void coresImportNeitherNettyNorTheTransport() throws IOException {
    List<String> violations = new ArrayList<>();
    for (Source s : sources()) {
      if (ADAPTERS.contains(s.pkg())) {
        continue;
      }
      if (NETTY.matcher(s.text()).find()) {
        violations.add(s.file() + " uses Netty");
      }
      if (s.text().contains(ROOT + ".transport.")) {
        violations.add(s.file() + " uses the transport");
      }
    }
    assertThat(violations).isEmpty();
  }

  /**
   * Fleet operations in layers (docs/ARCHITECTURE.md): keys, then the signed format, then replay
   * memory and the runner port; the protocol ({@code ops}) on top; file push beside it, reaching
   * the protocol only through the runner port. Beyond these, only the runtime ports.
   */
  @Test
  void opsPackagesImportOnlyTheLayersBeneath() throws IOException {
    Map<String, Set<String>> graph = graph(sources());
    String ops = ROOT + ".ops";
    String runtime = ROOT + ".runtime";
    Map<String, Set<String>> allowed = Map.of(
        ops + ".keys", Set.of(),
        ops + ".codec", Set.of(ops + ".keys"),
        ops + ".seen", Set.of(ops + ".codec", ops + ".keys", runtime),
        ops + ".run", Set.of(ops + ".codec", ops + ".keys", runtime),
        ops + ".files", Set.of(ops + ".codec", ops + ".keys", ops + ".run", runtime),
        ops, Set.of(ops + ".codec", ops + ".keys", ops + ".seen", ops + ".run", ROOT + ".sources", runtime));
    for (Map.Entry<String, Set<String>> layer : allowed.entrySet()) {
      assertThat(graph).containsKey(layer.getKey());
      assertThat(graph.get(layer.getKey())).as("what %s imports", layer.getKey())
          .isSubsetOf(layer.getValue());
    }
  }

  @Test
  void theCycleFinderFindsACycle() {
    Map<String, Set<String>> graph =
        Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"));
    assertThat(cycles(new TreeMap<>(graph))).containsExactly(Set.of("a", "b", "c"));
    assertThat(cycles(new TreeMap<>(Map.of("a", Set.of("b"), "b", Set.of())))).isEmpty();
  }
}
