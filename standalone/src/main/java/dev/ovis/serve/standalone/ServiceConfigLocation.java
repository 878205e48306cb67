package dev.ovis.serve.standalone;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.security.CodeSource;
import java.util.Collections;
import java.util.List;

/**
 * Finds the root of the jar (or classes directory) an application class comes from, as a Spring
 * config location.
 *
 * <p>Five applications on one class path each ship an {@code application.yml} at the same
 * resource path; {@code classpath:application.yml} would hand all five the first one found.
 * Pointing {@code spring.config.location} at the application's own jar root gives each context
 * its own file (and its profile variants) and nothing else.
 */
final class ServiceConfigLocation {

    private static final List<String> CONFIG_FILES = List.of("application.yml", "application.yaml",
            "application.properties");

    private ServiceConfigLocation() {
    }

    /** The location ending in {@code /} whose {@code application.*} belongs to {@code type}'s module. */
    static String of(Class<?> type) {
        String classResource = type.getName().replace('.', '/') + ".class";
        URL classUrl = type.getClassLoader().getResource(classResource);
        if (classUrl == null) {
            throw new IllegalStateException("cannot find " + classResource);
        }
        String classUrlText = classUrl.toString();
        String root = classUrlText.substring(0, classUrlText.length() - classResource.length());
        for (String file : CONFIG_FILES) {
            if (ownResource(type, root, file)) {
                return root;
            }
        }
        CodeSource source = type.getProtectionDomain().getCodeSource();
        throw new IllegalStateException(type.getSimpleName() + " has no application.yml/.properties next to it ("
                + (source == null ? root : source.getLocation()) + ")");
    }

    private static boolean ownResource(Class<?> type, String root, String file) {
        try {
            for (URL url : Collections.list(type.getClassLoader().getResources(file))) {
                if (url.toString().equals(root + file)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
