package io.proactor.samples;

import io.proactor.Engine;
import io.proactor.protocol.ThreadingModel;
import io.proactor.samples.http.HttpFileServer;
import io.proactor.samples.http.HttpServerConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/** {@code proactor serve DIR}: the HTTP/1.1 static file server. Try it with {@code curl -v localhost:8080/}. */
public final class ServeCommand {

    static final String USAGE = """
            usage: proactor serve DIR [--port N] [--host ADDRESS] [--engine NAME] [--model MODEL] [--threads N]
                                      [--directio-threshold SIZE] [--copy-threshold SIZE] [--header-timeout T]
                                      [--idle-timeout T] [--send-timeout SECONDS] [--max-connections N]
                                      [--backlog N] [--file-cache-valid T] [--access-log] [--status SECONDS]

              DIR                   the directory to serve (GET and HEAD; a directory is served from its
                                    index.html, never listed; symbolic links leading outside DIR are refused)
              --port                TCP port to listen on (default 8080; 0 picks a free port)
              --host                address to bind (default 127.0.0.1; 0.0.0.0 for every interface)
              --engine              io_uring | nio2 | reactor | virtual-threads (default: the best available)
              --model               single | worker-pool | main-sub | reuseport (default single)
              --threads             I/O loops for main-sub and reuseport, workers for worker-pool (default 2)
              --directio-threshold  files of at least SIZE are read with O_DIRECT, two aligned buffers in
                                    flight, leaving the page cache alone; smaller ones go zero-copy
                                    (default 4M; K, M, G suffixes; reactor engines always use zero-copy)
              --copy-threshold      responses of at most SIZE bytes of a file are read into the response and
                                    sent with its head, instead of zero-copy: cheaper for small files on
                                    io_uring, where each splice is handed to a kernel worker, and on the
                                    reactor, where the JDK's transferTo costs three system calls (default 16K;
                                    0: always zero-copy; the reactor copies 64K at most; virtual-threads
                                    always zero-copy)
              --header-timeout      time for a request head to arrive from its first byte (default 10s)
              --idle-timeout        time a keep-alive connection may wait for its next request (default 60s)
              --send-timeout        seconds a response may make no progress, the client having stopped reading,
                                    before its connection is closed (nginx's send_timeout; default 60; 0: never;
                                    at most 86400); counted as "send timeouts" in the status line
              --max-connections     connections served at once; more are answered 503 (default 10000)
              --backlog             connections the kernel may complete and queue before the server accepts
                                    them (default: the kernel's limit, net.core.somaxconn, 4096 on current
                                    Linux; the kernel cuts a larger N to it); a burst of connects beyond it
                                    loses SYNs, which clients send again only after 1 s
              --file-cache-valid    how long the open-file cache trusts what it found for a path (the open
                                    file and its attributes, or a 404/403, trusted 1s at most) before checking
                                    the path again: a replaced, truncated, deleted or unreadable file is
                                    served as it was for at most this long (nginx's open_file_cache_valid;
                                    default 5s; 0: check on every request, reopening only changed files)
              --access-log          log one line per request (SLF4J logger io.proactor.http.access)
              --status              print a status line to stderr every SECONDS (1 to 3600): operations,
                                    loop wake-ups and events per wake-up, tasks, loop lag, receive-buffer
                                    exhaustions, completion-queue overflows, stalls, send timeouts (n/a: not
                                    on this engine)

            Stops cleanly on Ctrl-C.""";

    /** The longest {@code --send-timeout}: a day. */
    static final int MAX_SEND_TIMEOUT_SECONDS = 86_400;

    private ServeCommand() {
    }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        return ServerCommand.runUntilStopped(args, out, err, USAGE, "file server", (a, o) -> start(a, o, err),
                server -> String.format("serving %s on http://%s:%d/ (engine %s, model %s, direct I/O from %d bytes)",
                        server.config().root(), server.localAddress().getHostString(),
                        server.localAddress().getPort(), server.protocolServer().engine().name(),
                        server.protocolServer().model().label(), server.config().directIoThreshold()));
    }

    /** Parses the flags and starts the server; status lines, if asked for, go to {@code System.err}. */
    static HttpFileServer start(String[] args, PrintStream out) throws CommandLine.UsageException, IOException {
        return start(args, out, System.err);
    }

    /** Parses the flags and starts the server; {@code null} after printing the help text. */
    static HttpFileServer start(String[] args, PrintStream out, PrintStream err)
            throws CommandLine.UsageException, IOException {
        CommandLine cl = new CommandLine(args, Set.of("port", "host", "engine", "model", "threads",
                "directio-threshold", "copy-threshold", "header-timeout", "idle-timeout", "send-timeout",
                "max-connections", "backlog", "file-cache-valid", "status"), Set.of("access-log"), 1);
        if (cl.help()) {
            out.println(USAGE);
            return null;
        }
        if (cl.positional().isEmpty()) {
            throw new CommandLine.UsageException("give the directory to serve, e.g. proactor serve ./public");
        }
        Path root = Path.of(cl.positional().get(0));
        if (!Files.isDirectory(root)) {
            throw new CommandLine.UsageException("'" + root + "' is not a directory (or does not exist)");
        }
        int port = cl.integer("port", 8080, 0, 65535);
        String host = cl.string("host", "127.0.0.1");
        ThreadingModel model = cl.model();
        int threads = cl.integer("threads", 2, 1, 1024);
        HttpServerConfig config = new HttpServerConfig(root,
                cl.bytes("directio-threshold", HttpServerConfig.DEFAULT_DIRECT_IO_THRESHOLD),
                cl.bytes("copy-threshold", HttpServerConfig.DEFAULT_COPY_THRESHOLD),
                cl.duration("header-timeout", HttpServerConfig.DEFAULT_HEADER_TIMEOUT),
                cl.duration("idle-timeout", HttpServerConfig.DEFAULT_IDLE_TIMEOUT),
                cl.integer("max-connections", HttpServerConfig.DEFAULT_MAX_CONNECTIONS, 1, 1_000_000),
                cl.on("access-log"),
                cl.backlog(),
                Duration.ofSeconds(cl.integer("send-timeout", (int) HttpServerConfig.DEFAULT_SEND_TIMEOUT.toSeconds(),
                        0, MAX_SEND_TIMEOUT_SECONDS)),
                "0".equals(cl.string("file-cache-valid", null)) ? Duration.ZERO
                        : cl.duration("file-cache-valid", HttpServerConfig.DEFAULT_FILE_CACHE_VALIDITY));
        int statusSeconds = cl.integer("status", 0, 1, 3600); // 0: not given, no status line
        Engine engine = cl.engine();
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new CommandLine.UsageException("--host '" + host + "' cannot be resolved");
        }
        HttpFileServer server = HttpFileServer.start(config, engine, model, threads, address);
        if (statusSeconds > 0) {
            server.every(Duration.ofSeconds(statusSeconds), new StatusLine(server.protocolServer(), err));
        }
        return server;
    }
}
