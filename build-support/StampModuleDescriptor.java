import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Stamps a compiled {@code module-info.class} with class-file version 61 (Java 17); the build runs it after
 * compiling each module that has a {@code module-info.java} (profile {@code module-descriptor} of the parent
 * POM): {@code java StampModuleDescriptor.java target/classes/module-info.class}.
 *
 * <p>Why: Maven may run on JDK 17, and the tools it runs in its own JVM (the jar tool that maven-jar-plugin calls
 * to make a modular jar, the javadoc plugin's module reader) refuse a descriptor of version 65 (Java 21). A
 * module descriptor's format has not changed since Java 9, so only the number differs; libraries built for an
 * older JDK ship theirs the same way (Netty's is Java 11's, beside Java 8 classes). The classes stay Java 21.
 */
public final class StampModuleDescriptor {

    private static final int JAVA_17 = 61;

    public static void main(String[] args) throws IOException {
        Path descriptor = Path.of(args[0]);
        if (!Files.exists(descriptor)) {
            return;
        }
        byte[] bytes = Files.readAllBytes(descriptor);
        if (bytes.length < 8 || (bytes[0] & 0xff) != 0xCA || (bytes[1] & 0xff) != 0xFE
                || (bytes[2] & 0xff) != 0xBA || (bytes[3] & 0xff) != 0xBE) {
            throw new IOException(descriptor + " is not a class file");
        }
        int major = ((bytes[6] & 0xff) << 8) | (bytes[7] & 0xff);
        if (major > JAVA_17) {
            bytes[6] = 0;
            bytes[7] = (byte) JAVA_17;
            Files.write(descriptor, bytes);
        }
    }
}
