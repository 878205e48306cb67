package dev.ovis.serve.gateway;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The bounded schedulers that keep blocking work off Netty's event loop: {@link #db()} for JDBC
 * (sized like the connection pool) and {@link #storage()} for object-store transfers (uploads
 * stream for as long as the client sends, so they get their own threads and never starve JDBC).
 */
@Component
public class BlockingSchedulers implements DisposableBean {

    private static final int QUEUE = 10_000;

    private final Scheduler db;
    private final Scheduler storage;

    public BlockingSchedulers(DbProperties properties) {
        this.db = Schedulers.newBoundedElastic(properties.threads(), QUEUE, "gateway-db");
        this.storage = Schedulers.newBoundedElastic(Math.max(4, Runtime.getRuntime().availableProcessors() * 2),
                QUEUE, "gateway-storage");
    }

    public Scheduler db() {
        return db;
    }

    public Scheduler storage() {
        return storage;
    }

    @Override
    public void destroy() {
        db.dispose();
        storage.dispose();
    }
}
