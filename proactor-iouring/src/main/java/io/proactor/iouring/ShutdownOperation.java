package io.proactor.iouring;

import io.proactor.core.OperationSlot;

/** {@code SHUTDOWN(SHUT_WR)}: the peer reads the end of stream once everything sent before has arrived. */
final class ShutdownOperation extends SocketOperation {

    private final OperationSlot slot;

    ShutdownOperation(IoUringAsyncSocket socket, OperationSlot slot) {
        super(socket);
        this.slot = slot;
    }

    void start() {
        submit(IoUringSqes.shutdownOutput(fd, tag), slot, 0, 0);
    }

    @Override
    void onCompletion(int res, int flags) {
        if (res >= 0) {
            slot.complete(null);
        } else {
            fail(slot, res, "shutdown");
        }
    }
}
