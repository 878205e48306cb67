package dev.ovis.serve.llm.decode;

/**
 * How the engine caches prompt prefixes ({@link PrefixCache}).
 *
 * @param enabled        whether prefills look up and keep prefix KV
 * @param maxBytes       KV bytes the cache may hold (its own copies, apart from the batch's budget)
 * @param blockPositions prompt positions per cached block: the granularity of a reusable prefix
 */
public record PrefixCacheSettings(boolean enabled, long maxBytes, int blockPositions) {

    /** On, 256 MiB, blocks of 16 positions (vLLM's block size). */
    public static final PrefixCacheSettings DEFAULT = new PrefixCacheSettings(true, 256L << 20, 16);

    /** Off: every prefill computes the whole prompt. */
    public static final PrefixCacheSettings OFF = new PrefixCacheSettings(false, 0, 16);

    public PrefixCacheSettings {
        if (maxBytes < 0 || blockPositions < 1) {
            throw new IllegalArgumentException("bad prefix cache settings");
        }
    }
}
