package dev.ovis.serve.standalone;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import dev.ovis.serve.infra.test.SharedInfrastructure;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The whole suite for the end-to-end tests of this module: started once per test JVM on the
 * shared infrastructure, every service on an ephemeral port, and handed to tests as a
 * {@link StandaloneRun} parameter ({@code @ExtendWith(RunningSuite.class)}).
 *
 * <p>It lives in JUnit's root store, which is closed when the test run ends — before the JVM's
 * shutdown hooks stop the shared infrastructure, so the services never outlive their broker.
 */
final class RunningSuite implements BeforeAllCallback, ParameterResolver {

    @Override
    public void beforeAll(ExtensionContext context) {
        run(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == StandaloneRun.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return run(context);
    }

    private static StandaloneRun run(ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .computeIfAbsent(StandaloneRun.class, key -> start(), StandaloneRun.class);
    }

    private static StandaloneRun start() {
        StandaloneRun run = new StandaloneRun();
        // Maven runs tests in the module directory; the run script starts from the repository root.
        String modelDir = Path.of("..", "fixtures", "tiny-ovis2").toAbsolutePath().normalize().toString();
        try {
            run.start(new StandaloneOptions(null, true, Duration.ofMinutes(5), List.of("--ovis.model.dir=" + modelDir)),
                    SharedInfrastructure.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the suite", e);
        }
        return run;
    }
}
