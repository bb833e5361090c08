package io.proactor.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * nginx as the file-serving baseline, when installed: one process ({@code master_process off}, so its one
 * event loop is the process's main thread, what the cold-storage scenario watches), its default file path
 * ({@code sendfile} from the event loop), keep-alive without a request limit, no access log. Its configuration
 * and scratch files go to a temporary directory that is removed when it stops (or when the demo exits).
 */
final class NginxServer {

    private NginxServer() {
    }

    /** {@code null} when {@code nginx -v} runs, else why not. */
    static String unavailableReason() {
        try {
            Process p = new ProcessBuilder("nginx", "-v").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "nginx -v did not answer within 10 s";
            }
            return p.exitValue() == 0 ? null : "nginx -v failed (exit status " + p.exitValue() + ")";
        } catch (IOException e) {
            return "nginx is not installed (Debian/Ubuntu: apt-get install nginx-light)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while checking nginx";
        }
    }

    /** The configuration: {@code root} served on loopback {@code port}, scratch files under {@code prefix}. */
    static String config(Path root, int port, Path prefix) {
        return """
                daemon off;
                master_process off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log stderr warn;
                events { worker_connections 20000; }
                http {
                    access_log off;
                    sendfile on;
                    tcp_nodelay on;
                    keepalive_requests 1000000000;
                    keepalive_timeout 60s;
                    client_body_temp_path %1$s/body;
                    proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi;
                    scgi_temp_path %1$s/scgi;
                    server {
                        listen 127.0.0.1:%2$d;
                        root %3$s;
                    }
                }
                """.formatted(prefix, port, root);
    }

    /** Starts nginx serving {@code root} and waits until it accepts connections. */
    static ServerProcess start(Variant variant, List<String> launchPrefix, Path root) throws IOException {
        Path prefix = Files.createTempDirectory("proactor-demo-nginx");
        // Every file nginx may leave is registered for deletion at exit (Ctrl-C too), the directory first so
        // that it is deleted last; the same list, reversed, is deleted when it stops.
        List<Path> scratch = new ArrayList<>(List.of(prefix));
        for (String dir : TEMP_DIRS) {
            scratch.add(Files.createDirectory(prefix.resolve(dir)));
        }
        Path conf = prefix.resolve("nginx.conf");
        scratch.add(conf);
        scratch.add(prefix.resolve("nginx.pid"));
        scratch.forEach(p -> p.toFile().deleteOnExit());
        int port;
        // A free port, chosen here because nginx cannot report the one it got; another process taking it in
        // between makes nginx fail to start, which the demo reports.
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Files.writeString(conf, config(root, port, prefix), StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>(launchPrefix);
        // -e: the error log from the start on (before the configuration is read) to standard error
        command.addAll(List.of("nginx", "-e", "stderr", "-p", prefix.toString(), "-c", conf.toString()));
        return ServerProcess.startExternal(variant, command, port, scratch.reversed());
    }

    /** The temporary directories nginx creates at start (request bodies, proxying): made here, removed after. */
    private static final List<String> TEMP_DIRS = List.of("body", "proxy", "fastcgi", "uwsgi", "scgi");
}
