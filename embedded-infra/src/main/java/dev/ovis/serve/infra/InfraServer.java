package dev.ovis.serve.infra;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * One of the three servers (Kafka, PostgreSQL, S3) as a process of its own, for the
 * multi-process topology: {@code java … dev.ovis.serve.infra.InfraServer kafka|postgres|s3
 * --data-dir=DIR --port=N [--controller-port=N]}.
 *
 * <p>State lives under the data directory, so the server restarted on the same directory and
 * ports is the same server to its clients. Once it accepts connections it prints one line,
 * {@code ovis-infra ready <kind> <address> [<user> <password>]}. It stops on SIGTERM/SIGINT, and
 * when its standard input ends (the process that started it through a pipe is gone), so it never
 * outlives its supervisor.
 */
public final class InfraServer {

    private InfraServer() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 1) {
            usage("no server named");
        }
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                usage("not an option: " + arg);
            }
            options.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        String dataDirOption = options.get("data-dir");
        if (dataDirOption == null) {
            usage("--data-dir is required");
        }
        Path dataDir = Path.of(dataDirOption).toAbsolutePath();
        int port = intOption(options, "port");
        AutoCloseable server;
        String address;
        String credentials = "";
        switch (args[0]) {
            case "kafka" -> {
                KraftBroker broker = KraftBroker.start(dataDir, port, intOption(options, "controller-port"));
                server = broker;
                address = broker.bootstrapServers();
            }
            case "postgres" -> {
                Postgres postgres = Postgres.start(dataDir, port);
                server = postgres;
                address = postgres.jdbcUrl();
                credentials = " " + Postgres.USER + " " + Postgres.PASSWORD;
            }
            case "s3" -> {
                S3Server s3 = S3Server.start(dataDir, port);
                server = s3;
                address = s3.endpoint();
                credentials = " " + S3Server.ACCESS_KEY + " " + S3Server.SECRET_KEY;
            }
            default -> {
                usage("unknown server " + args[0]);
                return;
            }
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            closeQuietly(server);
            stopped.countDown();
        }, "ovis-infra-stop"));
        System.out.println("ovis-infra ready " + args[0] + " " + address + credentials);
        System.out.flush();
        Thread.ofPlatform().daemon().name("ovis-infra-stdin").start(InfraServer::exitWhenStdinEnds);
        stopped.await();
    }

    private static void exitWhenStdinEnds() {
        try {
            InputStream in = System.in;
            while (in.read() >= 0) {
                // nothing is expected on standard input: it only tells that the supervisor lives
            }
        } catch (IOException e) {
            // a closed standard input: the supervisor is gone as well
        }
        System.exit(0);
    }

    private static int intOption(Map<String, String> options, String name) {
        String value = options.getOrDefault(name, "0");
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            usage("--" + name + " is not a port: " + value);
            return 0;
        }
    }

    private static void closeQuietly(AutoCloseable server) {
        try {
            server.close();
        } catch (Exception e) {
            System.err.println("ovis-infra: stopping failed: " + e);
        }
    }

    private static void usage(String problem) {
        System.err.println("InfraServer: " + problem
                + "\nusage: InfraServer kafka|postgres|s3 --data-dir=DIR [--port=N] [--controller-port=N]");
        System.exit(2);
    }
}
