package dev.ovis.serve.llm.decode;

import java.util.Set;

/**
 * How the engine runs.
 *
 * @param contextLength   the model's context (positions)
 * @param stopIds         token ids that end a sequence (not part of the text)
 * @param kvMaxBytes      KV memory budget (see {@link KvCache})
 * @param maxBatch        most sequences decoded together
 * @param maxQueued       most requests waiting for room; beyond it a submit is refused
 * @param prefillTokens   prompt positions prefilled between two decode steps (at least one prompt)
 * @param batchAging      how many interactive requests may be admitted ahead of a waiting batch request
 *                        before the oldest batch request goes first once (so batch work is never starved)
 * @param prefixCache     prompt-prefix KV caching ({@link PrefixCache})
 */
public record EngineSettings(int contextLength, Set<Integer> stopIds, long kvMaxBytes, int maxBatch, int maxQueued,
                             int prefillTokens, int batchAging, PrefixCacheSettings prefixCache) {

    /** The default prefix cache ({@link PrefixCacheSettings#DEFAULT}). */
    public EngineSettings(int contextLength, Set<Integer> stopIds, long kvMaxBytes, int maxBatch, int maxQueued,
                          int prefillTokens, int batchAging) {
        this(contextLength, stopIds, kvMaxBytes, maxBatch, maxQueued, prefillTokens, batchAging, PrefixCacheSettings.DEFAULT);
    }

    /** The default aging ({@value #DEFAULT_BATCH_AGING}) and prefix cache. */
    public EngineSettings(int contextLength, Set<Integer> stopIds, long kvMaxBytes, int maxBatch, int maxQueued,
                          int prefillTokens) {
        this(contextLength, stopIds, kvMaxBytes, maxBatch, maxQueued, prefillTokens, DEFAULT_BATCH_AGING);
    }

    public static final int DEFAULT_BATCH_AGING = 8;

    /** These settings with another prefix cache. */
    public EngineSettings withPrefixCache(PrefixCacheSettings prefixCache) {
        return new EngineSettings(contextLength, stopIds, kvMaxBytes, maxBatch, maxQueued, prefillTokens, batchAging, prefixCache);
    }

    public EngineSettings {
        stopIds = Set.copyOf(stopIds);
        prefixCache = prefixCache == null ? PrefixCacheSettings.DEFAULT : prefixCache;
        if (contextLength < 2 || kvMaxBytes <= 0 || maxBatch < 1 || maxQueued < 0 || prefillTokens < 1 || batchAging < 1) {
            throw new IllegalArgumentException("bad engine settings");
        }
    }
}
