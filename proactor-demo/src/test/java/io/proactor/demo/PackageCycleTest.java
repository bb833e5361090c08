package io.proactor.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No package of the project depends, through any chain, on a package that depends back on it. Reads the main
 * classes of every module of this repository on this test's class path (the demo module depends on all of them but the benchmarks),
 * collects from each class file's constant pool the {@code io.proactor} types it names (class references and
 * the descriptors and signatures of its fields and methods), and looks for strongly connected packages.
 */
class PackageCycleTest {

    private static final Pattern PROACTOR_TYPE = Pattern.compile("io/proactor(?:/[a-z0-9_]+)*/[A-Z][A-Za-z0-9_$]*");

    @Test
    void noPackageCycleAmongTheProjectsPackages() throws IOException {
        Map<String, Set<String>> uses = dependencies(projectClassRoots());
        List<List<String>> cycles = stronglyConnected(uses).stream()
                .filter(c -> c.size() > 1)
                .toList();
        assertEquals(List.of(), cycles, () -> "packages in a cycle (each group reaches every other):\n"
                + describe(cycles, uses));
    }

    @Test
    void theApiNamesNoImplementationAndTheSpiSitsOnTopOfIt() throws IOException {
        Map<String, Set<String>> uses = dependencies(projectClassRoots());
        // the scan saw what it is meant to check: otherwise the test above would pass on nothing
        for (String p : List.of("io.proactor", "io.proactor.protocol", "io.proactor.spi", "io.proactor.core",
                "io.proactor.nio2", "io.proactor.reactor", "io.proactor.iouring", "io.proactor.samples",
                "io.proactor.load", "io.proactor.demo")) {
            assertTrue(uses.containsKey(p), "package " + p + " was scanned: " + uses.keySet());
        }
        assertTrue(uses.get("io.proactor.spi").containsAll(Set.of("io.proactor", "io.proactor.protocol")),
                "the SPI is written in the API's terms: " + uses.get("io.proactor.spi"));
        for (String api : List.of("io.proactor", "io.proactor.protocol", "io.proactor.spi")) {
            Set<String> named = uses.get(api);
            assertFalse(named.contains("io.proactor.core"), api + " names the implementation: " + named);
        }
        assertFalse(uses.get("io.proactor").contains("io.proactor.spi"), "io.proactor names the SPI");
        assertFalse(uses.get("io.proactor").contains("io.proactor.protocol"), "io.proactor names protocol");
        assertFalse(uses.get("io.proactor.protocol").contains("io.proactor.spi"), "io.proactor.protocol names the SPI");
    }

    @Test
    void findsACycleWhenThereIsOne() {
        Map<String, Set<String>> uses = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"));
        assertEquals(List.of(List.of("a", "b", "c")),
                stronglyConnected(uses).stream().filter(c -> c.size() > 1).toList());
    }

    /** The main class directories (or jars) of this repository's modules, from the class path, and ours. */
    private static List<Path> projectClassRoots() {
        Path repository = Path.of("..").toAbsolutePath().normalize();
        List<Path> roots = new ArrayList<>();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        for (String entry : classPath.split(File.pathSeparator)) {
            Path p = Path.of(entry).toAbsolutePath().normalize();
            boolean mainClasses = p.endsWith(Path.of("target", "classes"))
                    || (p.getFileName().toString().endsWith(".jar") && p.getParent() != null
                    && p.getParent().getFileName().toString().equals("target"));
            if (p.startsWith(repository) && mainClasses && Files.exists(p)) {
                roots.add(p);
            }
        }
        Path own = Path.of("target", "classes").toAbsolutePath().normalize();
        if (!roots.contains(own)) {
            roots.add(own);
        }
        return roots;
    }

    /** Package to the other project packages its classes name. */
    private static Map<String, Set<String>> dependencies(List<Path> roots) throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        for (Path root : roots) {
            if (Files.isDirectory(root)) {
                try (Stream<Path> files = Files.walk(root)) {
                    for (Path f : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                        try (InputStream in = Files.newInputStream(f)) {
                            record(uses, in);
                        }
                    }
                }
            } else {
                try (JarFile jar = new JarFile(root.toFile())) {
                    for (JarEntry e : jar.stream().filter(e -> e.getName().endsWith(".class")).toList()) {
                        try (InputStream in = jar.getInputStream(e)) {
                            record(uses, in);
                        }
                    }
                }
            }
        }
        return uses;
    }

    private static void record(Map<String, Set<String>> uses, InputStream in) throws IOException {
        ClassNames names = ClassNames.read(new DataInputStream(in));
        if (names.self().equals("module-info") || names.self().endsWith("/package-info")) {
            return;
        }
        String from = packageOf(names.self());
        Set<String> to = uses.computeIfAbsent(from, k -> new TreeSet<>());
        for (String text : names.utf8()) {
            Matcher m = PROACTOR_TYPE.matcher(text);
            while (m.find()) {
                String p = packageOf(m.group());
                if (!p.equals(from)) {
                    to.add(p);
                }
            }
        }
    }

    private static String packageOf(String internalName) {
        int slash = internalName.lastIndexOf('/');
        return slash < 0 ? "" : internalName.substring(0, slash).replace('/', '.');
    }

    /** The strongly connected components of {@code graph} (Tarjan), each sorted, in order of their first member. */
    static List<List<String>> stronglyConnected(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<List<String>> components = new ArrayList<>();
        int[] next = {0};
        for (String v : new TreeSet<>(graph.keySet())) {
            if (!index.containsKey(v)) {
                connect(v, graph, index, low, stack, onStack, components, next);
            }
        }
        components.sort((a, b) -> a.get(0).compareTo(b.get(0)));
        return components;
    }

    private static void connect(String v, Map<String, Set<String>> graph, Map<String, Integer> index,
                                Map<String, Integer> low, Deque<String> stack, Set<String> onStack,
                                List<List<String>> components, int[] next) {
        index.put(v, next[0]);
        low.put(v, next[0]);
        next[0]++;
        stack.push(v);
        onStack.add(v);
        for (String w : graph.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                connect(w, graph, index, low, stack, onStack, components, next);
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
            component.sort(null);
            components.add(component);
        }
    }

    private static String describe(List<List<String>> cycles, Map<String, Set<String>> uses) {
        StringBuilder b = new StringBuilder();
        for (List<String> cycle : cycles) {
            for (String p : cycle) {
                b.append("  ").append(p).append(" -> ")
                        .append(uses.get(p).stream().filter(cycle::contains).toList()).append('\n');
            }
            b.append('\n');
        }
        return b.toString();
    }

    /** The class's own name and every UTF-8 constant of its constant pool (JVMS 4.4). */
    private record ClassNames(String self, List<String> utf8) {

        static ClassNames read(DataInputStream in) throws IOException {
            if (in.readInt() != 0xCAFEBABE) {
                throw new IOException("not a class file");
            }
            in.readUnsignedShort(); // minor
            in.readUnsignedShort(); // major
            int count = in.readUnsignedShort();
            String[] strings = new String[count];
            int[] classNameIndex = new int[count];
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1 -> strings[i] = in.readUTF();
                    case 7 -> classNameIndex[i] = in.readUnsignedShort(); // Class
                    case 8, 16, 19, 20 -> in.readUnsignedShort(); // String, MethodType, Module, Package
                    case 3, 4 -> in.readInt(); // Integer, Float
                    case 5, 6 -> { // Long, Double take two slots
                        in.readLong();
                        i++;
                    }
                    case 9, 10, 11, 12, 17, 18 -> in.readInt(); // refs, NameAndType, Dynamic, InvokeDynamic
                    case 15 -> { // MethodHandle
                        in.readUnsignedByte();
                        in.readUnsignedShort();
                    }
                    default -> throw new IOException("unknown constant pool tag " + tag);
                }
            }
            in.readUnsignedShort(); // access flags
            int thisClass = in.readUnsignedShort();
            List<String> utf8 = new ArrayList<>();
            for (String s : strings) {
                if (s != null) {
                    utf8.add(s);
                }
            }
            return new ClassNames(strings[classNameIndex[thisClass]], utf8);
        }
    }
}
