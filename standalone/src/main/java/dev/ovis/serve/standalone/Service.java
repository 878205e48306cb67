package dev.ovis.serve.standalone;

import java.util.List;

/**
 * One application of the suite as the standalone run starts it: its Spring Boot class, default
 * port, and whether it keeps job state in PostgreSQL (only the gateway does).
 */
record Service(String name, String applicationClass, int defaultPort, boolean usesDatabase) {

    /** Start order: the gateway first, so its API is the first thing to answer. */
    static final List<Service> SUITE = List.of(
            new Service("gateway", "dev.ovis.serve.gateway.GatewayApplication", 8080, true),
            new Service("vision", "dev.ovis.serve.vision.VisionApplication", 8081, false),
            new Service("llm", "dev.ovis.serve.llm.LlmApplication", 8082, false),
            new Service("video", "dev.ovis.serve.video.VideoApplication", 8083, false),
            new Service("ocr", "dev.ovis.serve.ocr.OcrApplication", 8084, false));

    Class<?> load() {
        try {
            return Class.forName(applicationClass, false, Service.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(name + ": " + applicationClass + " is not on the class path", e);
        }
    }
}
