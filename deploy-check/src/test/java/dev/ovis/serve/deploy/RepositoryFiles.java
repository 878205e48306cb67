package dev.ovis.serve.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths of the repository this module checks (tests run with the module directory as working directory). */
final class RepositoryFiles {

    private RepositoryFiles() {
    }

    /** The repository root: the first directory upwards holding {@code k8s/} and {@code mvnw}. */
    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("k8s")) && Files.exists(d.resolve("mvnw"))) {
                return d;
            }
        }
        throw new IllegalStateException("no repository root (k8s/ and mvnw) above " + dir);
    }

    static Path resolve(String relative) {
        return root().resolve(relative);
    }
}
