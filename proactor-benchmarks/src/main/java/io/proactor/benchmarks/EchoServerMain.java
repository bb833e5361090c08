package io.proactor.benchmarks;

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
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.proactor.Engines;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ProtocolHandler;
import io.proactor.protocol.ProtocolServer;
import io.proactor.protocol.ThreadingModel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;

/**
 * One echo server with one I/O thread, for the comparison script: {@code proactor-<engine>} runs the
 * library's echo protocol handler on that engine (single-threaded model); {@code netty-io_uring} and
 * {@code netty-epoll} are the outside reference, echo servers written the usual Netty way (write on read,
 * flush on read-complete) on Netty's own channel transports.
 *
 * <p>Usage: {@code EchoServerMain KIND PORT}; prints {@code listening PORT} and runs until killed.
 */
public final class EchoServerMain {

    private EchoServerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: EchoServerMain proactor-<engine>|netty-io_uring|netty-epoll PORT");
            System.exit(2);
        }
        String kind = args[0];
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[1]));
        AutoCloseable server;
        if (kind.startsWith("proactor-")) {
            ProtocolHandler echo = (Connection c, ByteBuffer data) -> c.write(data);
            server = ProtocolServer.builder().engine(Engines.require(kind.substring("proactor-".length())))
                    .model(ThreadingModel.SINGLE).handler(() -> echo).bind(address);
        } else if (kind.equals("netty-io_uring")) {
            server = netty(IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class, address);
        } else if (kind.equals("netty-epoll")) {
            server = netty(EpollIoHandler.newFactory(), EpollServerSocketChannel.class, address);
        } else {
            throw new IllegalArgumentException("unknown server kind " + kind);
        }
        System.out.println("listening " + address.getPort());
        System.out.flush();
        CountDownLatch forever = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception ignored) {
                // exiting anyway
            }
        }));
        forever.await();
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

    private static AutoCloseable netty(IoHandlerFactory factory, Class<? extends ServerChannel> channel,
                                       InetSocketAddress address) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, factory); // one I/O thread, accepting too
        NettyEcho echo = new NettyEcho();
        Channel listener = new ServerBootstrap().group(group).channel(channel)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(echo)
                .bind(address).sync().channel();
        return () -> {
            listener.close().sync();
            group.shutdownGracefully().sync();
        };
    }
}
