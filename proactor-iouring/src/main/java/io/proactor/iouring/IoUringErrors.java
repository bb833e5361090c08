package io.proactor.iouring;

import io.netty.channel.unix.Errors;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Turns a negative CQE result ({@code -errno}) into the exception a Java caller expects. */
final class IoUringErrors {

    private static final int ENOENT = 2;
    private static final int EACCES = 13;
    private static final int EEXIST = 17;
    private static final int ENETUNREACH = 101;
    private static final int ETIMEDOUT = 110;
    private static final int EHOSTUNREACH = 113;

    private IoUringErrors() {
    }

    static IOException socket(String operation, int res) {
        return switch (-res) {
            case IoUringSqes.ECANCELED -> new AsynchronousCloseException();
            case IoUringSqes.ECONNREFUSED -> new ConnectException("Connection refused");
            case ETIMEDOUT -> new ConnectException("Connection timed out");
            case ENETUNREACH, EHOSTUNREACH -> new ConnectException("No route to host");
            case IoUringSqes.ECONNRESET -> new IOException("Connection reset by peer");
            case IoUringSqes.EPIPE -> new IOException("Broken pipe");
            default -> Errors.newIOException(operation, res);
        };
    }

    static IOException file(String operation, Path path, int res) {
        return switch (-res) {
            case IoUringSqes.ECANCELED -> new AsynchronousCloseException();
            case ENOENT -> new NoSuchFileException(path.toString());
            case EACCES -> new AccessDeniedException(path.toString());
            case EEXIST -> new FileAlreadyExistsException(path.toString());
            default -> Errors.newIOException(operation + " " + path, res);
        };
    }
}
