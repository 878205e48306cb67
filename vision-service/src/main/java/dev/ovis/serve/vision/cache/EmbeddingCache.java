package dev.ovis.serve.vision.cache;

import dev.ovis.serve.common.chat.VisualEmbeddings;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.layout.ImageLayout;
import dev.ovis.serve.common.media.MediaRef;
import dev.ovis.serve.support.storage.ObjectStore;
import dev.ovis.serve.support.storage.ObjectStoreException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Visual embeddings in the object store, keyed by {@link CacheKey}: a repeated image costs a HEAD
 * request instead of a vision pass. Each tensor has a small JSON sidecar (the
 * {@link VisualEmbeddings} itself), so any instance, or this one after a restart, can serve a hit
 * without decoding the image. An in-memory LRU remembers recent keys; the embeddings this instance
 * wrote are bounded by {@link CacheProperties#maxBytes()} and deleted from the store when the LRU
 * evicts them. Thread-safe.
 */
public final class EmbeddingCache {

    private static final Logger log = LoggerFactory.getLogger(EmbeddingCache.class);
    private static final String TENSOR_TYPE = "application/octet-stream";
    private static final long MAX_SIDECAR_BYTES = 64 * 1024;

    private final ObjectStore store;
    private final CacheProperties properties;
    private final JsonMapper json = JsonMapper.builder().build();
    private final LinkedHashMap<String, Entry> recent = new LinkedHashMap<>(256, 0.75f, true);
    private long ownedBytes;

    public EmbeddingCache(ObjectStore store, CacheProperties properties) {
        this.store = store;
        this.properties = properties;
    }

    /** The cached embeddings for {@code key}, if the store still has them. */
    public Optional<VisualEmbeddings> find(CacheKey key, String dtype) {
        if (!properties.enabled()) {
            return Optional.empty();
        }
        String objectKey = key.objectKey(dtype);
        Entry entry;
        synchronized (recent) {
            entry = recent.get(objectKey);
        }
        try {
            if (entry != null) {
                if (store.exists(objectKey)) {
                    return Optional.of(entry.embeddings());
                }
                forget(objectKey);
                return Optional.empty();
            }
            if (!store.exists(sidecar(objectKey))) {
                return Optional.empty();
            }
            MediaRef sidecarRef = new MediaRef(store.bucket(), sidecar(objectKey), "application/json", "0".repeat(64), 0);
            VisualEmbeddings found = json.readValue(store.readAll(sidecarRef, MAX_SIDECAR_BYTES), VisualEmbeddings.class);
            if (!store.exists(found.tensor().key())) {
                return Optional.empty();
            }
            remember(objectKey, new Entry(found, false, 0));
            return Optional.of(found);
        } catch (ObjectStoreException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        } catch (RuntimeException e) {
            log.warn("unreadable cache sidecar for {}: {}", objectKey, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Stores {@code embeddings} ({@code [crops,256,hidden]}) for {@code key} and returns where they are.
     *
     * @param modelId the model name the llm stage knows the model by
     */
    public VisualEmbeddings put(CacheKey key, String modelId, String dtype, ImageLayout layout, int hidden, float[] embeddings) {
        String objectKey = key.objectKey(dtype);
        byte[] tensor = EmbeddingBlob.encode(embeddings, dtype);
        MediaRef ref = store.putBytes(objectKey, tensor, TENSOR_TYPE);
        VisualEmbeddings stored = new VisualEmbeddings(ref, modelId, layout, hidden, dtype);
        if (properties.enabled()) {
            byte[] sidecar = json.writeValueAsBytes(stored);
            store.putBytes(sidecar(objectKey), sidecar, "application/json");
            remember(objectKey, new Entry(stored, true, tensor.length + sidecar.length));
        }
        return stored;
    }

    /** Embedding bytes this instance wrote and still holds in the store. */
    public long ownedBytes() {
        synchronized (recent) {
            return ownedBytes;
        }
    }

    private void remember(String objectKey, Entry entry) {
        List<String> evicted = new ArrayList<>();
        synchronized (recent) {
            Entry previous = recent.put(objectKey, entry);
            if (previous != null && previous.owned()) {
                ownedBytes -= previous.bytes();
            }
            ownedBytes += entry.bytes();
            Iterator<Map.Entry<String, Entry>> it = recent.entrySet().iterator();
            while (it.hasNext() && (recent.size() > properties.entries() || ownedBytes > properties.maxBytes())) {
                Map.Entry<String, Entry> oldest = it.next();
                if (oldest.getKey().equals(objectKey)) {
                    break;
                }
                it.remove();
                if (oldest.getValue().owned()) {
                    ownedBytes -= oldest.getValue().bytes();
                    evicted.add(oldest.getKey());
                }
            }
        }
        for (String key : evicted) {
            try {
                store.delete(sidecar(key));
                store.delete(key);
            } catch (ObjectStoreException e) {
                log.warn("could not delete evicted embeddings {}: {}", key, e.getMessage());
            }
        }
    }

    private void forget(String objectKey) {
        synchronized (recent) {
            Entry removed = recent.remove(objectKey);
            if (removed != null && removed.owned()) {
                ownedBytes -= removed.bytes();
            }
        }
    }

    private static String sidecar(String objectKey) {
        return objectKey + ".json";
    }

    private record Entry(VisualEmbeddings embeddings, boolean owned, long bytes) {
    }
}
