package dev.ovis.serve.vision.stage;

import dev.ovis.serve.common.chat.VisualEmbeddings;
import dev.ovis.serve.common.media.MediaRef;
import dev.ovis.serve.support.storage.ObjectStore;
import dev.ovis.serve.vision.cache.CacheKey;
import dev.ovis.serve.vision.cache.EmbeddingCache;
import dev.ovis.serve.vision.image.ImageDecoder;
import dev.ovis.serve.vision.image.ImageProperties;
import dev.ovis.serve.support.image.InvalidImageException;
import dev.ovis.serve.vision.image.RgbImage;
import dev.ovis.serve.vision.preprocess.ImagePreprocessor;
import dev.ovis.serve.vision.preprocess.PreprocessedImage;
import dev.ovis.serve.vision.tokenizer.TokenizationException;
import dev.ovis.serve.vision.tokenizer.VisionModel;
import dev.ovis.serve.vision.tokenizer.VisualTokenizer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Optional;

/**
 * One image from the object store to stored visual embeddings: cache lookup, then read, decode,
 * preprocess, tokenize and store. The stage calls it per image part; the benchmark calls it directly.
 * Memory per call is bounded by the decoder's pixel limit (raster), the crops (at most 13 × 2.4 MB)
 * and the embeddings.
 */
public final class ImageEmbedder {

    /** Counter (Prometheus: {@code ovis:mm_cache_queries_total}). */
    public static final String CACHE_QUERIES = "ovis:mm_cache_queries";
    /** Counter (Prometheus: {@code ovis:mm_cache_hits_total}). */
    public static final String CACHE_HITS = "ovis:mm_cache_hits";

    private final ObjectStore store;
    private final ImageDecoder decoder;
    private final ImagePreprocessor preprocessor;
    private final VisualTokenizer tokenizer;
    private final VisionModel model;
    private final EmbeddingCache cache;
    private final ImageProperties imageProperties;
    private final Counter cacheQueries;
    private final Counter cacheHits;

    public ImageEmbedder(ObjectStore store, ImageDecoder decoder, ImagePreprocessor preprocessor, VisualTokenizer tokenizer,
                         VisionModel model, EmbeddingCache cache, ImageProperties imageProperties) {
        this(store, decoder, preprocessor, tokenizer, model, cache, imageProperties, new SimpleMeterRegistry());
    }

    /**
     * @param meters where the visual-embedding cache counters go: {@value #CACHE_QUERIES} and
     *               {@value #CACHE_HITS} (vLLM's multimodal cache names), tagged with {@code model_name}
     */
    public ImageEmbedder(ObjectStore store, ImageDecoder decoder, ImagePreprocessor preprocessor, VisualTokenizer tokenizer,
                         VisionModel model, EmbeddingCache cache, ImageProperties imageProperties, MeterRegistry meters) {
        this.cacheQueries = Counter.builder(CACHE_QUERIES).description("visual-embedding cache lookups")
                .tag("model_name", model.id()).register(meters);
        this.cacheHits = Counter.builder(CACHE_HITS).description("visual-embedding cache lookups that found the embeddings")
                .tag("model_name", model.id()).register(meters);
        this.store = store;
        this.decoder = decoder;
        this.preprocessor = preprocessor;
        this.tokenizer = tokenizer;
        this.model = model;
        this.cache = cache;
        this.imageProperties = imageProperties;
    }

    /**
     * The visual embeddings of {@code media} at {@code maxPartition}.
     *
     * @throws dev.ovis.serve.support.storage.ObjectStoreException when the store fails or refuses (its code says why)
     */
    public Result embed(String tenant, MediaRef media, int maxPartition)
            throws InvalidImageException, TokenizationException, InterruptedException {
        CacheKey key = new CacheKey(tenant, model.cacheId(), media.sha256(), maxPartition, imageProperties.applyOrientation());
        Optional<VisualEmbeddings> hit = cache.find(key, model.storeDtype());
        cacheQueries.increment();
        if (hit.isPresent()) {
            cacheHits.increment();
            return new Result(hit.get(), true);
        }
        byte[] bytes = store.readAll(media, imageProperties.maxBytes());
        RgbImage image = decoder.decode(bytes);
        bytes = null; // let the encoded file go before the crops are allocated
        PreprocessedImage pre = preprocessor.preprocess(image, maxPartition);
        image = null;
        float[] embeddings = tokenizer.tokenize(pre.pixelValues(), pre.crops());
        return new Result(cache.put(key, model.id(), model.storeDtype(), pre.layout(), tokenizer.hidden(), embeddings), false);
    }

    /**
     * @param embeddings where the embeddings are
     * @param cached     whether they came from the cache (no vision pass)
     */
    public record Result(VisualEmbeddings embeddings, boolean cached) {
    }
}
