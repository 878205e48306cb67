package dev.ovis.serve.standalone;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One more gateway instance next to a running suite: its own Spring context on the same
 * infrastructure (same database, broker and bucket), on an ephemeral port, with its own
 * {@code ovis.gateway.instance-id} and whatever further properties a test gives it.
 */
final class SecondGateway implements AutoCloseable {

    private static final Service GATEWAY = Service.SUITE.getFirst();
    private static final String LOGGING_SYSTEM = "org.springframework.boot.logging.LoggingSystem";

    private final ConfigurableApplicationContext context;

    private SecondGateway(ConfigurableApplicationContext context) {
        this.context = context;
    }

    static SecondGateway start(StandaloneRun run, String instanceId, Map<String, String> properties) {
        List<String> args = new ArrayList<>();
        args.add("--spring.config.location=" + ServiceConfigLocation.of(GATEWAY.load()));
        args.add("--server.port=0");
        args.add("--server.address=127.0.0.1");
        args.add("--spring.lifecycle.timeout-per-shutdown-phase=5s");
        args.add("--logging.include-application-name=false");
        args.add("--ovis.gateway.instance-id=" + instanceId);
        run.infrastructure().springProperties().forEach((name, value) -> args.add("--" + name + "=" + value));
        properties.forEach((name, value) -> args.add("--" + name + "=" + value));
        // The suite's first context configured logging for the JVM; do not reset it.
        String previous = System.getProperty(LOGGING_SYSTEM);
        System.setProperty(LOGGING_SYSTEM, "none");
        try {
            return new SecondGateway(new SpringApplicationBuilder(GATEWAY.load()).web(WebApplicationType.REACTIVE)
                    .bannerMode(Banner.Mode.OFF).registerShutdownHook(false).run(args.toArray(String[]::new)));
        } finally {
            if (previous == null) {
                System.clearProperty(LOGGING_SYSTEM);
            } else {
                System.setProperty(LOGGING_SYSTEM, previous);
            }
        }
    }

    String url() {
        return "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
    }

    @Override
    public void close() {
        context.close();
    }
}
