package io.proactor.samples.http;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * An {@link HttpPathResolver} in a process of its own, run as an unprivileged user when the test runs as root
 * (root reads any file, so a permission change would go unseen): each line written to it is a path, each line
 * it answers the status. The test side is {@link #start}; the process side is {@link #main}.
 */
final class HttpPermissionProbe implements AutoCloseable {

    private final Process process;
    private final Path classpathCopy;
    private final Writer toProbe;
    private final BufferedReader fromProbe;

    private HttpPermissionProbe(Process process, Path classpathCopy) {
        this.process = process;
        this.classpathCopy = classpathCopy;
        this.toProbe = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.US_ASCII);
        this.fromProbe = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
    }

    /** Serves {@code root} (made world-readable) with {@code validity}, as nobody if this process is root. */
    static HttpPermissionProbe start(Path root, Duration validity) throws IOException {
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path copy = Files.createTempDirectory("proactor-permission-probe-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        // the resolver needs the samples' classes, this probe and the API's SharedFile
        String classpath = io.proactor.tests.TestSupport.worldReadableClassPath(copy,
                entry -> entry.contains("proactor-samples") || entry.contains("proactor-api"));
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        }
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath, HttpPermissionProbe.class.getName(),
                root.toString(), String.valueOf(validity.toMillis())));
        Process p = new ProcessBuilder(command).directory(copy.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        return new HttpPermissionProbe(p, copy);
    }

    /** The status the probe's resolver gives {@code path} now. */
    int status(String path) throws IOException {
        toProbe.write(path + "\n");
        toProbe.flush();
        String line = fromProbe.readLine();
        if (line == null) {
            throw new IOException("the probe ended before answering " + path);
        }
        return Integer.parseInt(line.trim());
    }

    @Override
    public void close() throws IOException {
        toProbe.close();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> all = Files.walk(classpathCopy)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** The probe: {@code ROOT VALIDITY_MILLIS}; reads paths from standard input, answers their statuses. */
    public static void main(String[] args) throws IOException {
        HttpPathResolver resolver = new HttpPathResolver(Path.of(args[0]), Duration.ofMillis(Long.parseLong(args[1])));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        PrintStream out = System.out;
        String path;
        while ((path = in.readLine()) != null) {
            HttpPathResolver.Target t = new HttpPathResolver.Target();
            byte[] raw = path.getBytes(StandardCharsets.US_ASCII);
            int status = resolver.resolve(raw, 0, raw.length, t);
            if (t.shared != null) {
                t.shared.release();
            }
            out.println(status);
            out.flush();
        }
        resolver.close();
    }
}
