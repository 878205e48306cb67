package dev.ovis.serve.vision.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovis.serve.common.chat.VisualEmbeddings;
import dev.ovis.serve.common.layout.ImageLayout;
import dev.ovis.serve.testing.InMemoryObjectStore;
import org.junit.jupiter.api.Test;

class EmbeddingCacheTests {

    private static final String SHA = "ab".repeat(32);
    private final InMemoryObjectStore store = new InMemoryObjectStore();

    @Test
    void aStoredResultIsFoundAgain() {
        // given
        EmbeddingCache cache = new EmbeddingCache(store, CacheProperties.defaults());
        CacheKey key = new CacheKey("acme", "tiny@123", SHA, 9, true);
        // when
        VisualEmbeddings stored = cache.put(key, "tiny", "float32", new ImageLayout(2, 2), 4, embeddings(5, 4));
        // then
        assertThat(cache.find(key, "float32")).contains(stored);
        assertThat(store.exists(stored.tensor().key())).isTrue();
        assertThat(stored.tensor().size()).isEqualTo(5 * 256 * 4 * 4);
    }

    @Test
    void anotherInstanceFindsItThroughTheSidecar() {
        CacheKey key = new CacheKey("acme", "tiny@123", SHA, 9, true);
        VisualEmbeddings stored = new EmbeddingCache(store, CacheProperties.defaults())
                .put(key, "tiny", "float16", new ImageLayout(1, 3), 4, embeddings(4, 4));
        assertThat(new EmbeddingCache(store, CacheProperties.defaults()).find(key, "float16")).contains(stored);
    }

    @Test
    void everyPreprocessingParameterAndTheTenantAreInTheKey() {
        EmbeddingCache cache = new EmbeddingCache(store, CacheProperties.defaults());
        cache.put(new CacheKey("acme", "tiny@123", SHA, 9, true), "tiny", "float32", new ImageLayout(1, 1), 4, embeddings(1, 4));
        assertThat(cache.find(new CacheKey("acme", "tiny@123", SHA, 4, true), "float32")).isEmpty();
        assertThat(cache.find(new CacheKey("acme", "tiny@123", SHA, 9, false), "float32")).isEmpty();
        assertThat(cache.find(new CacheKey("acme", "other@456", SHA, 9, true), "float32")).isEmpty();
        assertThat(cache.find(new CacheKey("globex", "tiny@123", SHA, 9, true), "float32")).isEmpty();
        assertThat(cache.find(new CacheKey("acme", "tiny@123", SHA, 9, true), "float16")).isEmpty();
    }

    @Test
    void aResultGoneFromTheStoreIsAMiss() {
        EmbeddingCache cache = new EmbeddingCache(store, CacheProperties.defaults());
        CacheKey key = new CacheKey("acme", "tiny@123", SHA, 9, true);
        VisualEmbeddings stored = cache.put(key, "tiny", "float32", new ImageLayout(1, 1), 4, embeddings(1, 4));
        store.delete(stored.tensor().key());
        assertThat(cache.find(key, "float32")).isEmpty();
    }

    @Test
    void evictsTheLeastRecentlyUsedFromTheStoreBeyondItsBudget() {
        // given room for about two single-crop results (4 KiB tensor + sidecar each)
        EmbeddingCache cache = new EmbeddingCache(store, new CacheProperties(true, 100, 9_000));
        CacheKey a = new CacheKey("acme", "m", "aa".repeat(32), 1, true);
        CacheKey b = new CacheKey("acme", "m", "bb".repeat(32), 1, true);
        CacheKey c = new CacheKey("acme", "m", "cc".repeat(32), 1, true);
        cache.put(a, "tiny", "float32", new ImageLayout(1, 1), 4, embeddings(1, 4));
        cache.put(b, "tiny", "float32", new ImageLayout(1, 1), 4, embeddings(1, 4));
        assertThat(cache.find(a, "float32")).isPresent(); // a is now more recent than b
        // when
        cache.put(c, "tiny", "float32", new ImageLayout(1, 1), 4, embeddings(1, 4));
        // then b went, from memory and from the store
        assertThat(store.exists(b.objectKey("float32"))).isFalse();
        assertThat(cache.find(b, "float32")).isEmpty();
        assertThat(cache.find(a, "float32")).isPresent();
        assertThat(cache.find(c, "float32")).isPresent();
        assertThat(cache.ownedBytes()).isLessThanOrEqualTo(9_000);
    }

    @Test
    void float16BlobsRoundTripWithinHalfPrecision() {
        float[] values = {0f, 1f, -2.5f, 3.14159f, 65504f, 1e-3f};
        float[] back = EmbeddingBlob.decode(EmbeddingBlob.encode(values, "float16"), "float16");
        assertThat(EmbeddingBlob.encode(values, "float16")).hasSize(12);
        for (int i = 0; i < values.length; i++) {
            assertThat((double) back[i]).isCloseTo(values[i], org.assertj.core.data.Offset.offset(Math.abs(values[i]) / 1024 + 1e-7));
        }
        assertThat(EmbeddingBlob.decode(EmbeddingBlob.encode(values, "float32"), "float32")).containsExactly(values);
    }

    private static float[] embeddings(int crops, int hidden) {
        float[] v = new float[crops * 256 * hidden];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i);
        }
        return v;
    }
}
