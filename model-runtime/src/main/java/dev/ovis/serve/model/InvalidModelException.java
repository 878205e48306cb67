package dev.ovis.serve.model;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A model directory that cannot be used: missing, unknown format, inconsistent {@code model.json}, or a
 * file whose size or checksum differs from the manifest. The message names the file and the problem.
 */
public class InvalidModelException extends IOException {

    private final transient Path file;

    public InvalidModelException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public InvalidModelException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file (or directory) the problem is about. */
    public Path file() {
        return file;
    }
}
