package dev.ovis.serve.gateway.limit;

/**
 * A token bucket: {@code capacity} tokens, refilled continuously at {@code perSecond}. Thread-safe.
 */
final class TokenBucket {

    private final double capacity;
    private final double perNano;
    private double tokens;
    private long last;

    TokenBucket(double capacity, double perSecond, long now) {
        this.capacity = capacity;
        this.perNano = perSecond / 1e9;
        this.tokens = capacity;
        this.last = now;
    }

    /**
     * Takes one token if there is one.
     *
     * @return 0 when taken, else the nanoseconds until one is available
     */
    synchronized long tryTake(long now) {
        tokens = Math.min(capacity, tokens + (now - last) * perNano);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return (long) Math.ceil((1 - tokens) / perNano);
    }
}
