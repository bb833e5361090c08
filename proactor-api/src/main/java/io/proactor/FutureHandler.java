package io.proactor;

import java.util.concurrent.CompletableFuture;

/**
 * The bridge from the handler form of an operation to its {@link CompletableFuture} form: the future is
 * completed on the proactor's thread, so dependent stages without an executor run there too. Package-private:
 * only the default methods of this package's interfaces create it.
 */
final class FutureHandler<V> extends CompletableFuture<V> implements CompletionHandler<V, Object> {

    @Override
    public void completed(V result, Object attachment) {
        complete(result);
    }

    @Override
    public void failed(Throwable exc, Object attachment) {
        completeExceptionally(exc);
    }
}
