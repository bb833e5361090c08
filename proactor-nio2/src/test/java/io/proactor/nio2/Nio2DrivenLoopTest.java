package io.proactor.nio2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.AsyncServerSocket;
import io.proactor.AsyncSocket;
import io.proactor.Engines;
import io.proactor.Proactor;
import io.proactor.ProactorGroup;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The nio2 proactor thread is the JDK channel group's only thread: it is the one that waits on epoll, and a read
 * that had to wait completes on it with no other thread involved.
 */
class Nio2DrivenLoopTest {

    @Test
    @EnabledOnOs(OS.LINUX) // the JDK's Linux group waits in sun.nio.ch.EPoll.wait
    void theProactorThreadItselfWaitsForSocketEventsAndNoOtherThreadDoes() throws Exception {
        List<Thread> waitingBefore = threadsInEpollWait(); // the JDK's own pollers (virtual threads') and the like
        try (ProactorGroup group = ProactorGroup.open(Engines.require(Nio2Engine.NAME), 1);
             AsyncServerSocket listener = group.next().openServerSocket()
                     .bind(new InetSocketAddress("127.0.0.1", 0), 16)) {
            Proactor proactor = group.next();
            CompletableFuture<Thread> loopThread = new CompletableFuture<>();
            proactor.execute(() -> loopThread.complete(Thread.currentThread()));
            Thread proactorThread = loopThread.get(10, TimeUnit.SECONDS);
            CompletableFuture<AsyncSocket> accepted = listener.accept();
            try (Socket peer = new Socket()) {
                peer.connect(listener.localAddress());
                AsyncSocket socket = accepted.get(10, TimeUnit.SECONDS);
                CompletableFuture<Thread> readOn = new CompletableFuture<>();
                ByteBuffer dst = ByteBuffer.allocate(16);
                proactor.execute(() -> socket.read(dst, null, new io.proactor.CompletionHandler<Integer, Void>() {
                    @Override
                    public void completed(Integer n, Void a) {
                        readOn.complete(Thread.currentThread());
                    }

                    @Override
                    public void failed(Throwable exc, Void a) {
                        readOn.completeExceptionally(exc);
                    }
                }));
                // While the read waits for data, the proactor thread is the thread in epoll_wait for this group.
                assertTrue(eventuallyWaitsInEpoll(proactorThread), "the idle proactor thread is not in EPoll.wait: "
                        + Arrays.toString(proactorThread.getStackTrace()));
                List<Thread> others = threadsInEpollWait().stream()
                        .filter(t -> t != proactorThread && !waitingBefore.contains(t)).toList();
                assertEquals(List.of(), others, "threads of the group other than the proactor wait on epoll");
                OutputStream out = peer.getOutputStream();
                out.write(new byte[] {1, 2, 3});
                out.flush();
                assertEquals(proactorThread, readOn.get(10, TimeUnit.SECONDS));
                assertEquals(3, dst.position());
            }
        }
    }

    private static List<Thread> threadsInEpollWait() {
        return Thread.getAllStackTraces().entrySet().stream().filter(e -> inEpollWait(e.getValue()))
                .map(java.util.Map.Entry::getKey).toList();
    }

    private static boolean eventuallyWaitsInEpoll(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (inEpollWait(t.getStackTrace())) {
                return true;
            }
            Thread.sleep(10); // polling another thread's stack: there is no signal for "now blocked"
        }
        return false;
    }

    private static boolean inEpollWait(StackTraceElement[] stack) {
        return stack.length > 0 && Arrays.stream(stack).limit(3)
                .anyMatch(f -> f.getClassName().equals("sun.nio.ch.EPoll") && f.getMethodName().equals("wait"));
    }
}
