package dev.ovis.serve.llm.decode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Automatic prefix caching (vLLM's idea): the KV of prompt prefixes already prefilled, so a prompt
 * that starts like an earlier one prefills only the rest. Keyed by the prompt's input embeddings
 * themselves, in blocks of {@code blockPositions} positions, each block's key a SHA-256 chained over
 * every block before it: a key names one exact prefix of embedding bytes (text, indicator and visual
 * rows alike), so two prompts share KV exactly when their inputs — hence, in a causal decoder,
 * their KV — are the same. Only whole blocks are cached; a lookup never reuses a prompt's last
 * position, whose logits are needed.
 *
 * <p>Memory: every block owns one copy of its KV ({@code [2 × layers][kvHeads][blockPositions][headDim]}),
 * never a view of the batch arenas, which the engine reuses. Blocks are evicted least recently used
 * first, by bytes; a prompt's blocks are touched leaf first, so a prefix's later blocks go before its
 * earlier ones. Used by the engine thread only.
 */
final class PrefixCache {

    /** One cached prefix block's key: SHA-256 of (previous key, this block's embedding bytes). */
    record BlockKey(long a, long b, long c, long d) {
    }

    /**
     * The prefix a prompt can reuse, and the keys of all its whole blocks (for {@link #store}).
     *
     * @param keys   keys of blocks {@code 0 … ⌊L / blockPositions⌋ − 1}
     * @param blocks leading blocks found in the cache (at most {@code ⌊(L − 1) / blockPositions⌋})
     */
    record Lookup(List<BlockKey> keys, List<ByteBuffer> blocks, int reusedPositions) {
    }

    private final DecoderSpec spec;
    private final long maxBytes;
    private final int blockPositions;
    private final long blockBytes;
    private final LinkedHashMap<BlockKey, ByteBuffer> blocks = new LinkedHashMap<>(64, 0.75f, true);
    private final MessageDigest sha256;
    private final ByteBuffer scratch;
    private long bytes;
    private long evicted;

    PrefixCache(DecoderSpec spec, long maxBytes, int blockPositions) {
        this.spec = spec;
        this.maxBytes = maxBytes;
        this.blockPositions = blockPositions;
        this.blockBytes = (long) blockPositions * spec.kvBytesPerToken();
        if (blockBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a prefix block of " + blockBytes + " bytes exceeds one buffer");
        }
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
        this.scratch = ByteBuffer.allocate(Math.multiplyExact(blockPositions, spec.hidden() * Float.BYTES))
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    int blockPositions() {
        return blockPositions;
    }

    /** Bytes held. */
    long bytes() {
        return bytes;
    }

    /** Blocks held. */
    int size() {
        return blocks.size();
    }

    /** Blocks evicted since start. */
    long evicted() {
        return evicted;
    }

    /**
     * Hashes the prompt's whole blocks and finds the longest cached prefix.
     *
     * @param embeddings {@code positions × hidden} floats from the buffer's position
     */
    Lookup lookup(FloatBuffer embeddings, int positions) {
        int whole = positions / blockPositions;
        int reusable = (positions - 1) / blockPositions;
        List<BlockKey> keys = new ArrayList<>(whole);
        List<ByteBuffer> found = new ArrayList<>();
        byte[] previous = new byte[0];
        int rowFloats = spec.hidden();
        int base = embeddings.position();
        for (int block = 0; block < whole; block++) {
            scratch.clear();
            scratch.asFloatBuffer().put(embeddings.slice(base + block * blockPositions * rowFloats, blockPositions * rowFloats));
            sha256.update(previous);
            sha256.update(scratch);
            previous = sha256.digest();
            BlockKey key = keyOf(previous);
            keys.add(key);
            if (found.size() == block && block < reusable) {
                ByteBuffer kv = blocks.get(key);
                if (kv != null) {
                    found.add(kv);
                }
            }
        }
        return new Lookup(List.copyOf(keys), List.copyOf(found), found.size() * blockPositions);
    }

    /** The found prefix as a past for the decoder: {@code [1, kvHeads, reused, headDim]} per layer, K and V. */
    KvBlock past(Lookup lookup) {
        int reused = lookup.reusedPositions();
        int rowBytes = spec.headDim() * spec.kvElementBytes();
        int blockTensorBytes = spec.kvHeads() * blockPositions * rowBytes;
        ByteBuffer[] tensors = new ByteBuffer[2 * spec.layers()];
        for (int t = 0; t < tensors.length; t++) {
            ByteBuffer tensor = ByteBuffer.allocateDirect(reused * spec.kvRowBytes()).order(ByteOrder.nativeOrder());
            for (int b = 0; b < lookup.blocks().size(); b++) {
                ByteBuffer block = lookup.blocks().get(b);
                for (int h = 0; h < spec.kvHeads(); h++) {
                    int from = t * blockTensorBytes + h * blockPositions * rowBytes;
                    int to = (h * reused + b * blockPositions) * rowBytes;
                    tensor.put(to, block, from, blockPositions * rowBytes);
                }
            }
            tensors[t] = tensor;
        }
        return new KvBlock(tensors, 1, reused);
    }

    /**
     * Keeps the whole blocks of a prefilled prompt that are not cached yet (copies, so the engine may
     * reuse {@code present}), marks all its blocks as just used, and evicts beyond the byte bound.
     *
     * @param present the prompt's KV, {@code [1, kvHeads, L, headDim]} per layer
     */
    void store(Lookup lookup, KvBlock present) {
        List<BlockKey> keys = lookup.keys();
        int fitting = (int) Math.min(keys.size(), maxBytes / blockBytes);
        for (int b = 0; b < fitting; b++) {
            if (!blocks.containsKey(keys.get(b))) {
                blocks.put(keys.get(b), copyBlock(present, b));
                bytes += blockBytes;
            }
        }
        for (int b = fitting - 1; b >= 0; b--) {
            blocks.get(keys.get(b));
        }
        Iterator<Map.Entry<BlockKey, ByteBuffer>> eldest = blocks.entrySet().iterator();
        while (bytes > maxBytes && eldest.hasNext()) {
            eldest.next();
            eldest.remove();
            bytes -= blockBytes;
            evicted++;
        }
    }

    /** Forgets every block. */
    void clear() {
        blocks.clear();
        bytes = 0;
    }

    private ByteBuffer copyBlock(KvBlock present, int block) {
        int rowBytes = spec.headDim() * spec.kvElementBytes();
        int blockTensorBytes = spec.kvHeads() * blockPositions * rowBytes;
        ByteBuffer copy = ByteBuffer.allocateDirect((int) blockBytes).order(ByteOrder.nativeOrder());
        for (int t = 0; t < present.tensors().length; t++) {
            ByteBuffer tensor = present.tensors()[t];
            for (int h = 0; h < spec.kvHeads(); h++) {
                int from = (h * present.length() + block * blockPositions) * rowBytes;
                copy.put(t * blockTensorBytes + h * blockPositions * rowBytes, tensor, from, blockPositions * rowBytes);
            }
        }
        return copy;
    }

    private static BlockKey keyOf(byte[] digest) {
        ByteBuffer d = ByteBuffer.wrap(digest);
        return new BlockKey(d.getLong(), d.getLong(), d.getLong(), d.getLong());
    }
}
