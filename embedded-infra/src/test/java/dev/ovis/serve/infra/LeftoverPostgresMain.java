package dev.ovis.serve.infra;

import java.nio.file.Path;

/**
 * A separate JVM for {@link PostgresLeftoverIT}: starts PostgreSQL on the data directory given,
 * prints its postmaster pid and waits to be killed, as a local run does.
 */
public final class LeftoverPostgresMain {

    private LeftoverPostgresMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Postgres postgres = Postgres.start(Path.of(args[0]));
        long pid = PostgresLeftover.postmaster(Path.of(args[0])).orElseThrow().pid();
        System.out.println("postmaster " + pid);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
        postgres.close();
    }
}
