package io.proactor.load;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.util.NetUtil;
import io.proactor.Engine;
import io.proactor.Engines;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ProtocolHandler;
import io.proactor.protocol.ProtocolServer;
import io.proactor.protocol.ThreadingModel;
import io.proactor.reactor.PlatformThreadEngine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One echo server, for the comparison script and the demo: {@code proactor-<engine>} runs the library's echo
 * protocol handler on that engine (threading model and thread count from the arguments; single-threaded by
 * default); {@code netty-io_uring} and {@code netty-epoll} are the outside reference, echo servers written the
 * usual Netty way (write on read, flush on read-complete) on Netty's own channel transports, one I/O thread;
 * {@code jdk-selector} ({@link SelectorEchoServer}) and {@code jdk-nio2} ({@link Nio2EchoServer}) are the floor
 * for the {@code reactor} and {@code nio2} engines: the smallest plain JDK echo servers on the same JDK
 * machinery, one thread.
 *
 * <p>Usage: {@code EchoServerMain KIND PORT [MODEL [THREADS]]} (port 0 picks a free one). Prints
 * {@code listening PORT}, then reads commands on standard input: {@code memory} runs a full GC and prints
 * {@code memory heapUsed=BYTES direct=BYTES} (heap in use after the GC, and the JDK's direct buffers). Exits
 * when standard input ends, so a server whose parent died does not linger.
 */
public final class EchoServerMain {

    /**
     * Listen backlog, the same for Netty as the engines' default: the kernel's somaxconn, which Netty reads from
     * {@code /proc/sys/net/core/somaxconn} as the engines do. The demo opens thousands of connections in bursts,
     * and a connection the client counts as open while the full accept queue drops its last ACK may never reach
     * the server (Java's default is 50).
     */
    private static final int BACKLOG = NetUtil.SOMAXCONN;

    private static final String USAGE =
            "usage: EchoServerMain proactor-<engine>|netty-io_uring|netty-epoll|jdk-selector|jdk-nio2 PORT [MODEL [THREADS]]";

    private EchoServerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 4) {
            System.err.println(USAGE);
            System.exit(2);
        }
        String kind = args[0];
        InetSocketAddress address;
        ThreadingModel model;
        int threads;
        try {
            address = new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[1]));
            model = args.length > 2 ? ThreadingModel.parse(args[2]) : ThreadingModel.SINGLE;
            threads = args.length > 3 ? Integer.parseInt(args[3]) : 1;
            if (threads < 1 || threads > 1024) {
                throw new IllegalArgumentException("THREADS must be between 1 and 1024, was " + threads);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        AutoCloseable server;
        int port;
        if (kind.startsWith("proactor-")) {
            ProtocolHandler echo = (Connection c, ByteBuffer data) -> c.write(data);
            ProtocolServer s = ProtocolServer.builder().engine(engine(kind.substring("proactor-".length())))
                    .model(model).threads(threads).handler(() -> echo).bind(address);
            server = s;
            port = s.localAddress().getPort();
        } else if (kind.equals("jdk-selector") || kind.equals("jdk-nio2")) {
            if (model != ThreadingModel.SINGLE) {
                System.err.println("error: the JDK reference servers have one thread; MODEL must be single");
                System.exit(2);
            }
            if (kind.equals("jdk-selector")) {
                SelectorEchoServer s = SelectorEchoServer.start(address, BACKLOG);
                server = s;
                port = s.port();
            } else {
                Nio2EchoServer s = Nio2EchoServer.start(address, BACKLOG);
                server = s;
                port = s.port();
            }
        } else if (kind.equals("netty-io_uring") || kind.equals("netty-epoll")) {
            if (model != ThreadingModel.SINGLE) {
                System.err.println("error: the Netty servers have one I/O thread; MODEL must be single");
                System.exit(2);
            }
            Channel listener = kind.equals("netty-epoll")
                    ? netty(EpollIoHandler.newFactory(), EpollServerSocketChannel.class, address)
                    : netty(IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class, address);
            server = () -> {
                listener.close().sync();
                listener.eventLoop().parent().shutdownGracefully().sync();
            };
            port = ((InetSocketAddress) listener.localAddress()).getPort();
        } else {
            System.err.println("error: unknown server kind " + kind);
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        System.out.println("listening " + port);
        System.out.flush();
        serveCommands(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
        server.close();
        System.exit(0);
    }

    /**
     * The engine called {@code name}, which must be available: one of {@link Engines}, or
     * {@value PlatformThreadEngine#NAME}, which is not listed there (a baseline, not a library engine).
     */
    public static Engine engine(String name) {
        return name.equals(PlatformThreadEngine.NAME) ? new PlatformThreadEngine() : Engines.require(name);
    }

    /**
     * {@code null} when the server {@code kind} can run here ({@code proactor-<engine>}, {@code netty-epoll},
     * {@code netty-io_uring}, {@code jdk-selector}, {@code jdk-nio2}), else why not.
     */
    public static String unavailableReason(String kind) {
        if (kind.equals("jdk-selector") || kind.equals("jdk-nio2")) {
            return null; // plain JDK: runs wherever the JVM does
        }
        if (kind.equals("netty-epoll")) {
            return Epoll.isAvailable() ? null : "Netty epoll: " + Epoll.unavailabilityCause();
        }
        if (kind.equals("netty-io_uring")) {
            return IoUring.isAvailable() ? null : "Netty io_uring: " + IoUring.unavailabilityCause();
        }
        String name = kind.substring("proactor-".length());
        if (name.equals(PlatformThreadEngine.NAME)) {
            return null;
        }
        Engine e = Engines.byName(name);
        return e.isAvailable() ? null : "engine " + name + " cannot run here: " + e.unavailabilityCause().getMessage();
    }

    /**
     * Answers commands ({@code memory}: heap and direct memory in use after a full GC) until {@code in} ends:
     * the control channel of a server run in a child process, which exits when its parent closes the pipe.
     */
    public static void serveCommands(BufferedReader in) throws IOException, InterruptedException {
        for (String line; (line = in.readLine()) != null; ) {
            if (line.trim().equals("memory")) {
                // Two collections: the first may only queue cleaners and references that the second frees.
                System.gc();
                Thread.sleep(100);
                System.gc();
                MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
                long direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                        .filter(b -> b.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
                System.out.println("memory heapUsed=" + heap.getUsed() + " direct=" + direct);
            } else {
                System.out.println("error unknown command '" + line + "'; expected: memory");
            }
            System.out.flush();
        }
    }

    @ChannelHandler.Sharable
    private static final class NettyEcho extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static Channel netty(IoHandlerFactory factory, Class<? extends ServerChannel> channel,
                                 InetSocketAddress address) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, factory); // one I/O thread, accepting too
        NettyEcho echo = new NettyEcho();
        return new ServerBootstrap().group(group).channel(channel)
                .option(ChannelOption.SO_BACKLOG, BACKLOG)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(echo)
                .bind(address).sync().channel();
    }
}
