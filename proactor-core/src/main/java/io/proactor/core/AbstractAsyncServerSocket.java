package io.proactor.core;

import io.proactor.AsyncServerSocket;
import io.proactor.AsyncSocket;
import io.proactor.CompletionHandler;
import io.proactor.OperationKind;
import io.proactor.Proactor;
import java.nio.channels.AcceptPendingException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ShutdownChannelGroupException;
import java.util.Objects;

/**
 * The engine-independent half of {@link AsyncServerSocket}: checks, the one-pending-accept rule, the
 * hand-off to the proactor, and handing accepted sockets to their target proactor.
 */
public abstract class AbstractAsyncServerSocket extends AbstractInitiator implements AsyncServerSocket {

    private final OperationSlot acceptSlot = new OperationSlot(loop.operationCounter(OperationKind.ACCEPT));

    protected AbstractAsyncServerSocket(ProactorLoop loop) {
        super(loop);
    }

    /**
     * Starts accepting one connection whose socket is to belong to {@code target}; call
     * {@link #accepted} with the new socket, or fail the slot.
     */
    protected abstract void implAccept(ProactorLoop target, OperationSlot slot);

    @Override
    public final <A> void accept(Proactor target, A attachment, CompletionHandler<AsyncSocket, ? super A> handler) {
        Objects.requireNonNull(target, "'target' is null");
        Objects.requireNonNull(handler, "'handler' is null");
        if (!(target instanceof ProactorLoop targetLoop) || target.engine() != loop.engine()) {
            throw new IllegalArgumentException("'target' must be a proactor of the " + loop.engine().name()
                    + " engine, was " + target);
        }
        if (!acceptSlot.tryAcquire()) {
            throw new AcceptPendingException();
        }
        acceptSlot.prepare(handler, attachment);
        if (!isOpen()) {
            failLater(acceptSlot, new ClosedChannelException());
            return;
        }
        loop.runOnLoop(() -> {
            if (begin(acceptSlot)) {
                implAccept(targetLoop, acceptSlot);
            }
        });
    }

    /** Hands an accepted socket to its proactor and completes the accept; loop only. */
    protected final void accepted(ProactorLoop target, AsyncSocket socket, OperationSlot slot) {
        try {
            target.register(socket);
        } catch (ShutdownChannelGroupException e) {
            slot.fail(e);
            return;
        }
        slot.complete(socket);
    }
}
