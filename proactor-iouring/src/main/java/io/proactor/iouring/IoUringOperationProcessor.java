package io.proactor.iouring;

import io.netty.channel.unix.Socket;
import io.proactor.AsyncFile;
import io.proactor.AsyncServerSocket;
import io.proactor.AsyncSocket;
import io.proactor.CompletionHandler;
import io.proactor.SharedFile;
import io.proactor.ProactorGroupConfig;
import io.proactor.ProactorOpenOption;
import io.proactor.core.BufferPool;
import io.proactor.core.EngineCounters;
import io.proactor.core.ProactorLoop;
import io.proactor.spi.AsynchronousOperationProcessor;
import java.io.IOException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Set;

/**
 * The io_uring Asynchronous Operation Processor of one proactor: the kernel executes the operations; this
 * class makes the channels, owns the proactor's provided receive buffers and its bounce buffers (for heap
 * buffers, which the kernel cannot be given), and opens files with {@code OPENAT} on the ring.
 */
final class IoUringOperationProcessor implements AsynchronousOperationProcessor {

    private static final int O_WRONLY = 1;
    private static final int O_RDWR = 2;
    private static final int O_CREAT = 0x40;
    private static final int O_EXCL = 0x80;
    private static final int O_TRUNC = 0x200;
    private static final int O_APPEND = 0x400;
    private static final int O_DSYNC = 0x1000;
    private static final int O_DIRECT = 0x4000;
    private static final int O_CLOEXEC = 0x80000;
    private static final int O_SYNC = 0x101000;
    /** Like the JDK: the kernel applies the umask. */
    private static final int CREATE_MODE = 0666;
    /** Views of shared files kept per loop; when more are made, the unused ones are dropped first. */
    static final int MAX_VIEWS = 256;
    /** Sends one view serves at once; each has at most one operation in flight. */
    static final int MAX_SENDS_PER_VIEW = 1024;

    private final ProactorLoop loop;
    private final IoUringCompletionEventQueue ring;
    private final ProactorGroupConfig config;
    private final boolean tryBufferRing;
    private ReceiveBuffers buffers;
    private final BufferPool bounceBuffers;
    private final RingHandle handle;
    /** Opens not in flight, most recently used first. */
    private final ArrayDeque<OpenOperation> idleOpens = new ArrayDeque<>();
    /** The view of each shared file sent on this loop (keys compare by identity: SharedFile keeps Object's). */
    private final HashMap<SharedFile, IoUringAsyncFile> views = new HashMap<>();
    private boolean closed;

    IoUringOperationProcessor(ProactorLoop loop, IoUringCompletionEventQueue ring, ProactorGroupConfig config) {
        this.loop = loop;
        this.ring = ring;
        this.config = config;
        this.tryBufferRing = IoUringEngine.bufferRingEnabled();
        this.bounceBuffers = new BufferPool(loop, config.receiveBufferSize(), 64);
        this.handle = new RingHandle(ring, loop, () -> { });
        loop.engineCounters(new EngineCounters() {
            @Override
            public long completionQueueOverflows() {
                return ring.completionQueueOverflows();
            }

            @Override
            public long bufferExhaustions() {
                ReceiveBuffers b = buffers; // racy: null until the first receive, then read racily
                return b == null ? 0 : b.exhaustions();
            }
        });
    }

    IoUringCompletionEventQueue ring() {
        return ring;
    }

    /**
     * The proactor's receive buffers, set up on first use (on the loop: a buffer ring is registered from the
     * ring's submitter thread): a ring-mapped buffer ring where the kernel and Netty allow it, otherwise
     * {@code PROVIDE_BUFFERS}.
     */
    ReceiveBuffers buffers() {
        if (buffers == null) {
            buffers = ReceiveBuffers.open(loop, ring, config.receiveBufferSize(), config.receiveBufferCount(),
                    tryBufferRing);
        }
        return buffers;
    }

    BufferPool bounceBuffers() {
        return bounceBuffers;
    }

    @Override
    public AsyncSocket openSocket() throws IOException {
        return new IoUringAsyncSocket(loop, this, Socket.newSocketStream(), false);
    }

    @Override
    public AsyncServerSocket openServerSocket() throws IOException {
        return new IoUringAsyncServerSocket(loop, this, Socket.newSocketStream());
    }

    @Override
    @SuppressWarnings("unchecked")
    public <A> void openFile(Path path, Set<? extends OpenOption> options, A attachment,
                             CompletionHandler<AsyncFile, ? super A> handler) {
        int flags = openFlags(options);
        boolean direct = options.contains(ProactorOpenOption.DIRECT);
        CompletionHandler<AsyncFile, Object> h = (CompletionHandler<AsyncFile, Object>) handler;
        if (loop.inLoop()) {
            startOpen(path, flags, direct, h, attachment); // no task to allocate: a file server opens per request
        } else {
            loop.execute(() -> startOpen(path, flags, direct, h, attachment));
        }
    }

    /**
     * Lends the view of {@code file} kept for this loop, made on its first send here: a send of a cached file
     * allocates no file, ring handle or registration. A view busy with {@link #MAX_SENDS_PER_VIEW} sends lends
     * its place to one made for this send alone (operation tags are per ring handle, and finite).
     */
    @Override
    public AsyncFile adoptFile(SharedFile file) {
        if (!file.isOpen()) {
            throw new IllegalStateException(file.path() + " is closed (its last reference was released)");
        }
        IoUringAsyncFile view = views.get(file);
        if (view == null || view.users() >= MAX_SENDS_PER_VIEW) {
            int fd = NettyRingInternals.descriptorOf(file.channel());
            if (fd < 0) {
                return null;
            }
            IoUringAsyncFile made = new IoUringAsyncFile(loop, this, fd, file);
            made.startUse(); // before it is kept: a closed file makes no view
            if (view == null) {
                if (views.size() >= MAX_VIEWS) {
                    views.values().removeIf(this::dropIfUnused);
                }
                views.put(file, made);
            }
            return made;
        }
        view.startUse();
        return view;
    }

    @Override
    public void endAdoption(AsyncFile adopted) {
        ((IoUringAsyncFile) adopted).endUse();
    }

    /**
     * A view just dropped its reference: it is closed if it is not the one kept for its file (made for one
     * send), or if that reference was the file's last (the file is closed: the view is no use any more). A
     * view kept while its file is still open stays, for the next send; views of files closed later are
     * dropped when the map is full ({@link #MAX_VIEWS}).
     */
    void viewUnused(IoUringAsyncFile view) {
        SharedFile file = view.shared();
        if (views.get(file) != view) {
            view.close();
        } else if (!file.isOpen()) {
            views.remove(file);
            view.close();
        }
    }

    /** Views kept now; loop only, for tests. */
    int views() {
        return views.size();
    }

    private boolean dropIfUnused(IoUringAsyncFile view) {
        if (!view.unused()) {
            return false;
        }
        view.close();
        return true;
    }

    private void startOpen(Path path, int flags, boolean direct, CompletionHandler<AsyncFile, Object> h,
                           Object attachment) {
        OpenOperation open = idleOpens.poll();
        if (open == null) {
            open = new OpenOperation(this, handle, loop);
        }
        open.start(path, flags, CREATE_MODE, direct, h, attachment);
    }

    private static int openFlags(Set<? extends OpenOption> options) {
        boolean write = options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND);
        boolean read = options.contains(StandardOpenOption.READ) || !write;
        int flags = O_CLOEXEC | (read && write ? O_RDWR : write ? O_WRONLY : 0);
        for (OpenOption o : options) {
            if (o == StandardOpenOption.APPEND) {
                flags |= O_APPEND;
            } else if (o == StandardOpenOption.CREATE && write) {
                flags |= O_CREAT;
            } else if (o == StandardOpenOption.CREATE_NEW && write) {
                flags |= O_CREAT | O_EXCL;
            } else if (o == StandardOpenOption.TRUNCATE_EXISTING && write) {
                flags |= O_TRUNC;
            } else if (o == StandardOpenOption.DSYNC) {
                flags |= O_DSYNC;
            } else if (o == StandardOpenOption.SYNC) {
                flags |= O_SYNC;
            } else if (o == ProactorOpenOption.DIRECT) {
                flags |= O_DIRECT;
            } else if (o == StandardOpenOption.DELETE_ON_CLOSE) {
                throw new UnsupportedOperationException("DELETE_ON_CLOSE is not supported by the io_uring engine");
            }
        }
        return flags;
    }

    /**
     * Puts {@code open} back in the pool; by {@link OpenOperation} when it is done. Once closed, the operation
     * drops its path memory instead (it stays attached to the handle, which would keep the memory reachable).
     */
    void idle(OpenOperation open) {
        if (closed) {
            open.dropPathMemory();
        } else {
            idleOpens.push(open);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (OpenOperation open : idleOpens) {
            open.dropPathMemory();
        }
        idleOpens.clear();
        for (IoUringAsyncFile view : views.values()) {
            view.close(); // drops its reference once its SQEs in flight, if any, have completed
        }
        views.clear();
        if (buffers != null) {
            buffers.close();
        }
        bounceBuffers.close();
        handle.cancelAndClose();
    }
}
