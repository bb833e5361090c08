package io.proactor.iouring;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Native memory a socket's SQEs point into, allocated on first need (a socket that only receives into
 * provided buffers never needs it). The kernel reads it when the SQE is submitted
 * (and, for a msghdr, while the send runs), so each region belongs to one kind of operation, of which at most
 * one is pending: the sockaddr and a timespec to {@link ConnectOperation}, a timespec to {@link ReadOperation},
 * and the msghdr, its iovecs and a timespec to the socket's writes ({@link SendOperation} and the headers of
 * {@link TransferOperation}: one write is pending at a time).
 *
 * <pre>
 *   offset  size  content
 *        0    32  sockaddr_in6 (28 bytes) or sockaddr_in (16 bytes)      connect target
 *       32    16  __kernel_timespec                                      connect timeout
 *       48    16  __kernel_timespec                                      read timeout
 *       64    16  __kernel_timespec                                      write timeout
 *       80    56  struct msghdr {name, namelen, iov, iovlen, control, controllen, flags}
 *      144  1024  struct iovec[64] {base, len}                           gathering write
 * </pre>
 */
final class SocketScratch {

    static final int MAX_IOV = 64;
    static final int CONNECT_TIMEOUT = 32;
    static final int READ_TIMEOUT = 48;
    static final int WRITE_TIMEOUT = 64;
    private static final int SOCKADDR = 0;
    private static final int MSGHDR = 80;
    private static final int IOV = 144;
    private static final int SIZE = IOV + 16 * MAX_IOV;
    private static final short AF_INET = 2;
    private static final short AF_INET6 = 10;

    private final ByteBuffer memory = ByteBuffer.allocateDirect(SIZE).order(ByteOrder.nativeOrder());
    private final long address = NettyRingInternals.addressOf(memory);

    /** The msghdr's address: constant, so a SENDMSG SQE pointing at it can be prepared once per socket. */
    long msghdrAddress() {
        return address + MSGHDR;
    }

    /** Writes the connect target; returns its length. IPv4 targets are v4-mapped on an IPv6 socket. */
    int sockaddr(InetSocketAddress target, boolean ipv6Socket) {
        InetAddress ip = target.getAddress();
        int port = target.getPort();
        for (int i = 0; i < 32; i++) {
            memory.put(SOCKADDR + i, (byte) 0);
        }
        if (ipv6Socket) {
            memory.putShort(SOCKADDR, AF_INET6);
            memory.put(SOCKADDR + 2, (byte) (port >>> 8)).put(SOCKADDR + 3, (byte) port);
            byte[] a = ip.getAddress();
            if (ip instanceof Inet4Address) {
                memory.put(SOCKADDR + 18, (byte) 0xff).put(SOCKADDR + 19, (byte) 0xff);
                memory.put(SOCKADDR + 20, a);
            } else {
                memory.put(SOCKADDR + 8, a);
                memory.putInt(SOCKADDR + 24, ((Inet6Address) ip).getScopeId());
            }
            return 28;
        }
        if (!(ip instanceof Inet4Address)) {
            throw new IllegalArgumentException("an IPv6 address on an IPv4-only socket: " + target);
        }
        memory.putShort(SOCKADDR, AF_INET);
        memory.put(SOCKADDR + 2, (byte) (port >>> 8)).put(SOCKADDR + 3, (byte) port);
        memory.put(SOCKADDR + 4, ip.getAddress());
        return 16;
    }

    long sockaddrAddress() {
        return address + SOCKADDR;
    }

    /** Writes a relative timeout at {@code offset}; returns its address. */
    long timespec(int offset, long nanos) {
        memory.putLong(offset, nanos / 1_000_000_000L);
        memory.putLong(offset + 8, nanos % 1_000_000_000L);
        return address + offset;
    }

    /** Points the msghdr at {@code srcs[offset .. offset+n)} (direct buffers); returns the msghdr address. */
    long msghdr(ByteBuffer[] srcs, int offset, int n) {
        for (int i = 0; i < n; i++) {
            ByteBuffer b = srcs[offset + i];
            int at = IOV + 16 * i;
            memory.putLong(at, NettyRingInternals.addressOf(b) + b.position());
            memory.putLong(at + 8, b.remaining());
        }
        return msghdr(n);
    }

    /** Points the msghdr at one region; returns the msghdr address. */
    long msghdr(long address, int length) {
        memory.putLong(IOV, address);
        memory.putLong(IOV + 8, length);
        return msghdr(1);
    }

    private long msghdr(int n) {
        memory.putLong(MSGHDR, 0);            // msg_name
        memory.putLong(MSGHDR + 8, 0);        // msg_namelen + padding
        memory.putLong(MSGHDR + 16, address + IOV);
        memory.putLong(MSGHDR + 24, n);
        memory.putLong(MSGHDR + 32, 0);       // msg_control
        memory.putLong(MSGHDR + 40, 0);       // msg_controllen
        memory.putLong(MSGHDR + 48, 0);       // msg_flags + padding
        return address + MSGHDR;
    }
}
