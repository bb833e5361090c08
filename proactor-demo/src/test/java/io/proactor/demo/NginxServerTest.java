package io.proactor.demo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The nginx baseline's configuration, and its absence said in words. */
class NginxServerTest {

    @Test
    void servesTheDirectoryOnLoopbackFromOneProcess() {
        String conf = NginxServer.config(Path.of("/srv/files"), 41234, Path.of("/tmp/prefix"));
        for (String line : new String[] {"daemon off;", "master_process off;", "listen 127.0.0.1:41234;",
            "root /srv/files;", "sendfile on;", "access_log off;", "pid /tmp/prefix/nginx.pid;",
            "client_body_temp_path /tmp/prefix/body;"}) {
            assertTrue(conf.contains(line), line + " in\n" + conf);
        }
    }

    @Test
    void aMissingNginxIsAReasonNotAFailure() {
        String why = NginxServer.unavailableReason();
        assertTrue(why == null || why.contains("nginx"), why);
        assertTrue(Variant.named("nginx").external() && !Variant.named("nginx").runsIn(DemoSettings.ECHO));
    }
}
