package dev.ovis.serve.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An S3-compatible endpoint (s3proxy) on 127.0.0.1 with fixed credentials and AWS v2/v4
 * signatures, storing objects in a directory or, without one, in memory.
 *
 * <p>Clients (MinIO's) must be closed before {@link #close()}: s3proxy's Jetty waits for open
 * connections to drain when it stops.
 */
final class S3Server implements AutoCloseable {

    static final String ACCESS_KEY = "minioadmin";
    static final String SECRET_KEY = "minioadmin";

    private static final Logger log = LoggerFactory.getLogger(S3Server.class);

    private final S3Proxy proxy;

    private S3Server(S3Proxy proxy) {
        this.proxy = proxy;
    }

    static S3Server start(Path dataDir) {
        return start(dataDir, 0);
    }

    /** As {@link #start(Path)}, on {@code port} (0: any free port). */
    static S3Server start(Path dataDir, int port) {
        BlobStore store;
        if (dataDir == null) {
            store = new TransientNio2BlobStore();
        } else {
            try {
                Files.createDirectories(dataDir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + dataDir, e);
            }
            store = new FilesystemNio2BlobStore(dataDir.toAbsolutePath().toString());
        }
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(store)
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .jettyMaxThreads(16)
                .stopTimeout(2_000)
                .build();
        try {
            proxy.start();
        } catch (Exception e) {
            throw new IllegalStateException("s3proxy did not start", e);
        }
        return new S3Server(proxy);
    }

    String endpoint() {
        return "http://127.0.0.1:" + proxy.getPort();
    }

    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            log.warn("s3proxy shutdown failed: {}", e.toString());
        }
    }
}
