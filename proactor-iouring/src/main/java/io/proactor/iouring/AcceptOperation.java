package io.proactor.iouring;

import io.netty.channel.unix.Socket;
import io.proactor.core.OperationSlot;
import io.proactor.core.ProactorLoop;
import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ShutdownChannelGroupException;
import java.util.ArrayDeque;

/**
 * The listener's one <b>multishot</b> {@code ACCEPT}: a single SQE yields a CQE per new connection for as long
 * as it stays armed. The API accepts one connection per call, so descriptors the kernel hands over while no
 * accept is pending wait in a queue and are given to the next calls.
 */
final class AcceptOperation extends RingOperation {

    private final IoUringAsyncServerSocket listener;
    private final int fd;
    private final ProactorLoop loop;
    private final ArrayDeque<Integer> acceptedFds = new ArrayDeque<>();
    private final Runnable deliver = this::deliver;
    private boolean armed;
    private OperationSlot pending;
    private ProactorLoop pendingTarget;
    private boolean deliveryScheduled;
    private int submissions;

    AcceptOperation(IoUringAsyncServerSocket listener, RingHandle handle, int fd, ProactorLoop loop) {
        super(handle);
        this.listener = listener;
        this.fd = fd;
        this.loop = loop;
    }

    /** ACCEPT SQEs submitted so far (a multishot accept needs one); loop only, for tests. */
    int submissions() {
        return submissions;
    }

    /** Starts accepting one connection for {@code slot}, to be served by {@code target}. */
    void start(ProactorLoop target, OperationSlot slot) {
        pending = slot;
        pendingTarget = target;
        if (!acceptedFds.isEmpty()) {
            scheduleDelivery(); // never complete inside the initiating call
        } else if (!armed) {
            submissions++;
            armed = submit(IoUringSqes.multishotAccept(fd, tag));
            if (!armed) {
                pending = null;
                loop.execute(() -> slot.fail(new ShutdownChannelGroupException()));
            }
        }
    }

    private void scheduleDelivery() {
        if (!deliveryScheduled) {
            deliveryScheduled = true;
            loop.execute(deliver);
        }
    }

    private void deliver() {
        deliveryScheduled = false;
        if (pending == null || acceptedFds.isEmpty()) {
            return;
        }
        OperationSlot slot = pending;
        ProactorLoop target = pendingTarget;
        pending = null;
        pendingTarget = null;
        listener.completeAccept(target, acceptedFds.poll(), slot);
    }

    @Override
    void onCompletion(int res, int flags) {
        if ((flags & IoUringSqes.CQE_F_MORE) == 0) {
            armed = false; // the multishot ended (cancelled, or an error): re-armed by the next accept
        }
        if (res >= 0) {
            if (!listener.isOpen()) {
                closeQuietly(res);
                return;
            }
            acceptedFds.add(res);
            if (pending != null) {
                deliver();
            }
            return;
        }
        if (pending != null) {
            OperationSlot slot = pending;
            pending = null;
            pendingTarget = null;
            slot.fail(res == -IoUringSqes.ECANCELED ? new AsynchronousCloseException()
                    : IoUringErrors.socket("accept", res));
        }
    }

    /**
     * The listener is closing (its multishot is being cancelled): an accept waiting while none is in the kernel
     * fails later, as nothing else will end it.
     */
    void close() {
        if (!armed && pending != null) {
            OperationSlot slot = pending;
            pending = null;
            loop.execute(() -> slot.fail(new AsynchronousCloseException()));
        }
    }

    /** Closes the connections that were accepted and never handed out; once nothing is in flight. */
    void closeAccepted() {
        Integer accepted;
        while ((accepted = acceptedFds.poll()) != null) {
            closeQuietly(accepted);
        }
    }

    private static void closeQuietly(int fd) {
        try {
            new Socket(fd).close();
        } catch (IOException ignored) {
            // a connection nobody accepted; nothing to report to
        }
    }
}
