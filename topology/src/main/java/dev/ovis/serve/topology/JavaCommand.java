package dev.ovis.serve.topology;

import java.io.File;
import java.util.List;

/**
 * How a child JVM runs a main class of this JVM's class path: directly on a plain class path
 * (tests, the IDE), or through Spring Boot's {@code PropertiesLauncher} when this JVM runs from
 * the topology's executable jar, whose libraries sit nested inside it.
 */
final class JavaCommand {

    private static final String PROPERTIES_LAUNCHER = "org.springframework.boot.loader.launch.PropertiesLauncher";

    private JavaCommand() {
    }

    /** The arguments after {@code java} (and its options) that run {@code mainClass}. */
    static List<String> mainClass(String mainClass) {
        String classPath = System.getProperty("java.class.path");
        boolean oneJar = !classPath.contains(File.pathSeparator) && classPath.endsWith(".jar");
        if (oneJar && onClassPath(PROPERTIES_LAUNCHER)) {
            return List.of("-cp", classPath, "-Dloader.main=" + mainClass, PROPERTIES_LAUNCHER);
        }
        return List.of("-cp", classPath, mainClass);
    }

    private static boolean onClassPath(String className) {
        return ClassLoader.getSystemClassLoader().getResource(className.replace('.', '/') + ".class") != null;
    }
}
