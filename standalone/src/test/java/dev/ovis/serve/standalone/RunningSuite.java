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

    /** Most lines of one batch submitted and not yet collected ({@code ovis.gateway.batch.max-in-flight}). */
    static final int BATCH_IN_FLIGHT = 4;

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
        // A batch feeds at most BATCH_IN_FLIGHT lines per runner tick (one a second), so a batch of
        // many lines is still in progress for seconds however fast the tiny model answers: what
        // BatchRestartIT needs to stop the gateway mid-batch. Jobs of the tiny model end within the
        // tick that submitted them, so the default (64) let a 40-line batch run whole in one tick.
        List<String> arguments = List.of("--ovis.model.dir=" + modelDir,
                "--ovis.gateway.batch.max-in-flight=" + BATCH_IN_FLIGHT);
        try {
            run.start(new StandaloneOptions(null, true, Duration.ofMinutes(5), arguments),
                    SharedInfrastructure.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the suite", e);
        }
        return run;
    }
}
