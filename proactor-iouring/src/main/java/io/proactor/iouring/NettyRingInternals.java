package io.proactor.iouring;

import io.netty.channel.DefaultFileRegion;
import io.netty.channel.unix.Buffer;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.util.internal.PlatformDependent;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * The one place where this engine reaches past Netty's public io_uring API: to give its own handles a
 * ring-mapped provided-buffer ring ({@code IORING_REGISTER_PBUF_RING}), and to read the descriptor of a JDK
 * {@code FileChannel} (a {@link io.proactor.SharedFile}) with Netty's JNI function for that
 * ({@link #descriptorOf}).
 *
 * <p>Why: Netty 4.2 registers buffer rings only for its own channels ({@code IoUringBufferRing} and
 * {@code IoUringIoHandler.findBufferRing} are package-private), and its rings are refilled with
 * {@code ByteBuf}s from an allocator, which a custom {@code IoUringIoHandle} can neither map from a buffer id
 * nor recycle. The kernel does not care who registered a ring: any {@code RECV} with {@code BUFFER_SELECT} on
 * the same io_uring may name its group. So this class asks Netty for exactly two things, by reflection:
 * <ul>
 *   <li>the ring's file descriptor ({@code IoUringIoHandler.ringBuffer.fd()});</li>
 *   <li>Netty's own JNI functions that register and unregister a buffer ring on that descriptor
 *       ({@code Native.ioUringRegisterBufRing}, {@code ioUringUnRegisterBufRing}, {@code ioUringBufRingSize}):
 *       the same calls Netty makes for its channels, so no native code of ours is needed and the build stays
 *       on Java 21 (the JDK's foreign function API would need Java 22+ and the ring descriptor all the same).</li>
 * </ul>
 * Everything after registration (filling the ring, recycling, the tail) is plain shared memory, done by
 * {@link BufferRing}. Automatic modules and the class path both open Netty's packages to reflection.
 *
 * <p>If a Netty upgrade renames any of these members, {@link #unavailabilityCause()} says which, the engine
 * falls back to {@code PROVIDE_BUFFERS} (and says so in {@code ./proactor engines}), and
 * {@code NettyRingInternalsTest} fails the build.
 */
final class NettyRingInternals {

    /** {@code IOU_PBUF_RING_INC} (Linux 6.12): the kernel consumes a provided buffer in parts. */
    static final int PBUF_RING_INCREMENTAL = 2;

    private static final MethodHandle RING_BUFFER;     // (IoUringIoHandler) -> RingBuffer
    private static final MethodHandle RING_FD;         // (RingBuffer) -> int
    private static final MethodHandle REGISTER;        // (int ringFd, int entries, short bgid, int flags) -> long
    private static final MethodHandle UNREGISTER;      // (int ringFd, long address, int entries, short bgid) -> int
    private static final MethodHandle RING_BYTES;      // (int entries) -> int
    private static final Throwable CAUSE;
    /** (IoUringIoHandler's RingBuffer) -> SubmissionQueue, then its {@code kflags} field; null if unreachable. */
    private static final MethodHandle SUBMISSION_QUEUE;
    private static final MethodHandle SUBMISSION_FLAGS;
    /** (DefaultFileRegion) -> int: the descriptor of the region's FileChannel; null if unreachable. */
    private static final MethodHandle FILE_FD;
    /** (ByteBuffer) -> long: Netty's JNI address of a direct buffer; null where Netty reads it with Unsafe. */
    private static final MethodHandle BUFFER_ADDRESS;

    static {
        MethodHandle ringBuffer = null;
        MethodHandle ringFd = null;
        MethodHandle register = null;
        MethodHandle unregister = null;
        MethodHandle ringBytes = null;
        Throwable cause = null;
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            Field field = IoUringIoHandler.class.getDeclaredField("ringBuffer");
            field.setAccessible(true);
            ringBuffer = lookup.unreflectGetter(field);
            Class<?> ringBufferClass = field.getType();
            Method fd = ringBufferClass.getDeclaredMethod("fd");
            fd.setAccessible(true);
            ringFd = lookup.unreflect(fd);
            Class<?> nativeClass = Class.forName("io.netty.channel.uring.Native", true,
                    IoUringIoHandler.class.getClassLoader());
            register = nativeMethod(lookup, nativeClass, "ioUringRegisterBufRing",
                    MethodType.methodType(long.class, int.class, int.class, short.class, int.class));
            unregister = nativeMethod(lookup, nativeClass, "ioUringUnRegisterBufRing",
                    MethodType.methodType(int.class, int.class, long.class, int.class, short.class));
            ringBytes = nativeMethod(lookup, nativeClass, "ioUringBufRingSize",
                    MethodType.methodType(int.class, int.class));
        } catch (Throwable t) {
            cause = new UnsupportedOperationException("this Netty version does not have the members the io_uring "
                    + "engine uses to register a buffer ring (" + t + "); receives use PROVIDE_BUFFERS instead", t);
        }
        RING_BUFFER = ringBuffer;
        RING_FD = ringFd;
        REGISTER = register;
        UNREGISTER = unregister;
        RING_BYTES = ringBytes;
        CAUSE = cause;
        MethodHandle submissionQueue = null;
        MethodHandle submissionFlags = null;
        if (ringBuffer != null) {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                Method sq = ringBuffer.type().returnType().getDeclaredMethod("ioUringSubmissionQueue");
                sq.setAccessible(true);
                submissionQueue = lookup.unreflect(sq);
                Field flags = sq.getReturnType().getDeclaredField("kflags");
                flags.setAccessible(true);
                submissionFlags = lookup.unreflectGetter(flags);
            } catch (Throwable t) {
                submissionQueue = null; // completion-queue overflows are then not counted (reported as -1)
            }
        }
        SUBMISSION_QUEUE = submissionQueue;
        SUBMISSION_FLAGS = submissionFlags;
        MethodHandle fileFd = null;
        try {
            Class<?> nativeClass = Class.forName("io.netty.channel.uring.Native", true,
                    IoUringIoHandler.class.getClassLoader());
            fileFd = nativeMethod(MethodHandles.lookup(), nativeClass, "getFd",
                    MethodType.methodType(int.class, DefaultFileRegion.class));
        } catch (Throwable t) {
            fileFd = null; // shared files are then opened again by path for each send
        }
        FILE_FD = fileFd;
        MethodHandle bufferAddress = null;
        if (!PlatformDependent.hasUnsafe()) {
            try {
                bufferAddress = nativeMethod(MethodHandles.lookup(), Buffer.class, "memoryAddress0",
                        MethodType.methodType(long.class, ByteBuffer.class));
            } catch (Throwable t) {
                bufferAddress = null; // Netty's own way, then, allocating or not
            }
        }
        BUFFER_ADDRESS = bufferAddress;
    }

    /**
     * The address of a direct buffer's first byte (index 0), without allocating: Netty's
     * {@code Buffer.memoryAddress} reads it through {@code sun.misc.Unsafe} where Netty may use that, but
     * otherwise (Java 24 and later by default, unless run with {@code --sun-misc-unsafe-memory-access=allow})
     * through {@code MemorySegment.ofBuffer}, which allocates a segment per call: a few hundred bytes per
     * request, since every send and receive needs addresses. Then this calls Netty's JNI function
     * ({@code GetDirectBufferAddress}) instead.
     */
    static long addressOf(ByteBuffer direct) {
        if (BUFFER_ADDRESS == null) {
            return Buffer.memoryAddress(direct);
        }
        try {
            return (long) BUFFER_ADDRESS.invokeExact(direct);
        } catch (Throwable t) {
            throw new IllegalStateException("Netty's Buffer.memoryAddress0 failed", t);
        }
    }

    /**
     * The descriptor behind a JDK {@link FileChannel}, read by Netty's own JNI function for its file regions
     * ({@code Native.getFd(DefaultFileRegion)}, which reads the channel's {@code FileDescriptor} in native code:
     * no {@code --add-opens} needed); -1 if this Netty version does not have it. The descriptor stays the
     * channel's: valid while the channel is open, never to be closed by the caller.
     */
    static int descriptorOf(FileChannel channel) {
        if (FILE_FD == null) {
            return -1;
        }
        try {
            return (int) FILE_FD.invoke(new DefaultFileRegion(channel, 0, 0));
        } catch (Throwable t) {
            return -1;
        }
    }

    /**
     * The submission ring's flags word, shared with the kernel (4 bytes, native order; it holds
     * {@code IORING_SQ_CQ_OVERFLOW}), or {@code null} if this Netty version hides it. Valid until the ring is
     * destroyed; read it only on the loop that owns the ring. The handler must be initialized.
     */
    static ByteBuffer submissionQueueFlags(IoUringIoHandler handler) {
        if (SUBMISSION_QUEUE == null) {
            return null;
        }
        try {
            return (ByteBuffer) SUBMISSION_FLAGS.invoke(SUBMISSION_QUEUE.invoke(RING_BUFFER.invoke(handler)));
        } catch (Throwable t) {
            return null;
        }
    }

    private static MethodHandle nativeMethod(MethodHandles.Lookup lookup, Class<?> owner, String name,
                                             MethodType type) throws ReflectiveOperationException {
        Method m = owner.getDeclaredMethod(name, type.parameterArray());
        if (m.getReturnType() != type.returnType()) {
            throw new NoSuchMethodException(owner.getName() + "." + name + " returns " + m.getReturnType());
        }
        m.setAccessible(true);
        return lookup.unreflect(m);
    }

    private NettyRingInternals() {
    }

    /** {@code null} if buffer rings can be registered through this Netty version, otherwise why not. */
    static Throwable unavailabilityCause() {
        return CAUSE;
    }

    /** The io_uring file descriptor behind Netty's handler; the handler must be initialized. */
    static int ringFd(IoUringIoHandler handler) {
        try {
            return (int) RING_FD.invoke(RING_BUFFER.invoke(handler));
        } catch (Throwable t) {
            throw new IllegalStateException("cannot read the io_uring descriptor from Netty", t);
        }
    }

    /**
     * Registers a buffer ring of {@code entries} (a power of two up to 32768) as group {@code group}; Netty
     * maps its memory. Must run on the thread that submits to the ring ({@code IORING_SETUP_SINGLE_ISSUER}).
     *
     * @return the ring memory, {@code entries × 16} bytes in native order
     * @throws RingRegistrationException with the kernel's errno when it refuses (for example {@code -EINVAL}
     *         for an unknown flag, on kernels older than the feature)
     */
    static ByteBuffer register(int ringFd, int entries, short group, int flags) throws RingRegistrationException {
        long address;
        int bytes;
        try {
            address = (long) REGISTER.invokeExact(ringFd, entries, group, flags);
            bytes = address < 0 ? 0 : (int) RING_BYTES.invokeExact(entries);
        } catch (Throwable t) {
            throw new IllegalStateException("Netty's buffer-ring registration failed", t);
        }
        if (address < 0) {
            throw new RingRegistrationException((int) address);
        }
        return Buffer.wrapMemoryAddressWithNativeOrder(address, bytes);
    }

    /** Unregisters the ring and unmaps its memory; {@code ring} must not be touched afterwards. */
    static void unregister(int ringFd, ByteBuffer ring, int entries, short group) {
        try {
            int res = (int) UNREGISTER.invokeExact(ringFd, addressOf(ring), entries, group);
            if (res < 0) {
                throw new IllegalStateException("unregistering buffer ring " + group + " failed: errno " + -res);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("Netty's buffer-ring unregistration failed", t);
        }
    }

    /** The kernel refused a buffer ring; {@link #errno} says why. */
    static final class RingRegistrationException extends Exception {
        final int errno;

        RingRegistrationException(int negativeErrno) {
            super("io_uring_register(IORING_REGISTER_PBUF_RING) failed: errno " + -negativeErrno);
            this.errno = -negativeErrno;
        }
    }
}
