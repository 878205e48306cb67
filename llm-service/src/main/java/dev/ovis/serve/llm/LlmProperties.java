package dev.ovis.serve.llm;

import dev.ovis.serve.llm.decode.PrefixCacheSettings;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The llm-service's settings ({@code ovis.llm.*}). One record for the whole service, here at its root
 * rather than in a feature package, because the model ({@code llm.model}: directory, threads,
 * announcements), the decode engine (KV, batching) and the stage ({@code llm.stage}: streaming) each
 * read a part of it.
 *
 * @param modelDir       the exported model directory; unset = {@code ovis.model.dir} (shared with
 *                       vision), else {@code fixtures/tiny-ovis2}. A relative path is tried from the
 *                       working directory, then from its parent (tests run in the module directory)
 * @param kvCache        KV memory
 * @param prefixCache    reuse of prompt-prefix KV across requests (same image, same system prompt), see docs/llm.md
 * @param maxBatch       most sequences decoded together in one step
 * @param maxQueued      most requests waiting for KV room; beyond it a request fails as UNAVAILABLE (retried)
 * @param prefillTokens  prompt positions prefilled between two decode steps (one prompt at least)
 * @param streamInterval the least time between two stream chunks: a token after a quiet spell (the first one) leaves at once, faster ones are gathered
 * @param threads        ORT intra-op threads for the decoder, 0 = ORT's default (one per core)
 * @param announceInterval how often the loaded model is announced on {@code ovis.models.v1} (gateways forget it after 2 min)
 * @param batchAging     interactive requests admitted ahead of a waiting batch request (batch lines, pipeline
 *                       records) before the oldest batch request goes first once; see docs/llm.md
 */
@Validated
@ConfigurationProperties("ovis.llm")
public record LlmProperties(
        String modelDir,
        @DefaultValue KvCache kvCache,
        @DefaultValue @Valid PrefixCache prefixCache,
        @DefaultValue("16") @Min(1) @Max(256) int maxBatch,
        @DefaultValue("256") @Min(0) int maxQueued,
        @DefaultValue("4096") @Min(1) int prefillTokens,
        @DefaultValue("50ms") Duration streamInterval,
        @DefaultValue("0") @Min(0) int threads,
        @DefaultValue("30s") Duration announceInterval,
        @DefaultValue("8") @Min(1) int batchAging) {

    /**
     * @param maxBytes KV budget over the running batch (padded footprint, both step buffers), see docs/llm.md
     */
    public record KvCache(@DefaultValue("2GB") DataSize maxBytes) {
    }

    /**
     * @param enabled        look prompts up and keep their prefix KV
     * @param maxBytes       KV bytes the cache holds at most (its own copies, on top of {@code kv-cache.max-bytes}),
     *                       least recently used blocks evicted first
     * @param blockPositions prompt positions per cached block (a reusable prefix is a whole number of blocks)
     */
    public record PrefixCache(@DefaultValue("true") boolean enabled, @DefaultValue("256MB") DataSize maxBytes,
                              @DefaultValue("16") @Min(1) @Max(4096) int blockPositions) {

        public PrefixCacheSettings settings() {
            return new PrefixCacheSettings(enabled, maxBytes.toBytes(), blockPositions);
        }
    }

    /** The default model directory, relative to the repository root. */
    public static final String DEFAULT_MODEL_DIR = "fixtures/tiny-ovis2";

    /**
     * The model directory, resolved against the working directory or its parent.
     *
     * @param shared {@code ovis.model.dir} when set, else {@code null}
     */
    public Path resolvedModelDir(String shared) {
        String configured = modelDir != null ? modelDir : shared != null ? shared : DEFAULT_MODEL_DIR;
        Path dir = Path.of(configured);
        if (!dir.isAbsolute() && !Files.isDirectory(dir) && Files.isDirectory(Path.of("..").resolve(dir))) {
            return Path.of("..").resolve(dir).normalize();
        }
        return dir;
    }
}
