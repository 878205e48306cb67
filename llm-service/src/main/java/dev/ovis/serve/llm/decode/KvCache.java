package dev.ovis.serve.llm.decode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Owns the KV memory of the running batch and its budget. The batch's past is one
 * {@code [batch, kvHeads, length, headDim]} tensor per layer for K and V, rows left-padded to a
 * common length (pads are zero and masked out). Two arenas alternate: a step reads the past from
 * one and ORT writes the present straight into the other (pinned outputs), so the steady state
 * copies nothing. Rows only move when the batch changes: a joining sequence is appended in place
 * when it is no longer than the batch, otherwise the batch is re-laid once; a leaving row is
 * replaced by the last row. Used by the engine thread only.
 *
 * <p>Budget: a batch of {@code rows} whose longest reservation is {@code n} positions costs
 * {@code 2 arenas × rows × n × bytesPerToken} — the padded footprint, not the sum of lengths.
 */
final class KvCache {

    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1 << 16);

    private final DecoderSpec spec;
    private final long maxBytes;
    private Arena current;
    private Arena spare;
    private int batch;
    private int length;

    KvCache(DecoderSpec spec, long maxBytes) {
        this.spec = spec;
        this.maxBytes = maxBytes;
        this.current = new Arena(spec.layers());
        this.spare = new Arena(spec.layers());
    }

    long maxBytes() {
        return maxBytes;
    }

    /** Whether a batch of {@code rows} with the longest reservation {@code longest} fits the budget. */
    boolean fits(int rows, int longest) {
        return footprint(rows, longest) <= maxBytes;
    }

    long footprint(int rows, int longest) {
        return 2L * rows * longest * spec.kvBytesPerToken();
    }

    /** The most positions one sequence can ever hold within the budget. */
    int maxPositionsPerSequence() {
        return (int) Math.min(Integer.MAX_VALUE, maxBytes / (2L * spec.kvBytesPerToken()));
    }

    int batch() {
        return batch;
    }

    int length() {
        return length;
    }

    /** The batch's past, for the next step. */
    KvBlock past() {
        return current.view(batch, length);
    }

    /** Where the next step writes its present (one position longer). */
    KvBlock present() {
        spare.ensure(tensorBytes(batch, length + 1));
        return spare.view(batch, length + 1);
    }

    /** After a step: the present becomes the past. */
    void advance() {
        swap();
        length++;
    }

    /** Fresh memory for one sequence's prefill output, {@code [1, kvHeads, positions, headDim]}. */
    KvBlock sequenceBlock(int positions) {
        ByteBuffer[] tensors = new ByteBuffer[2 * spec.layers()];
        for (int i = 0; i < tensors.length; i++) {
            tensors[i] = ByteBuffer.allocateDirect(Math.toIntExact(tensorBytes(1, positions))).order(ByteOrder.nativeOrder());
        }
        return new KvBlock(tensors, 1, positions);
    }

    /** Appends a prefilled sequence as the last row. */
    void append(KvBlock sequence) {
        int len = sequence.length();
        if (batch == 0 || len > length || !current.holds(tensorBytes(batch + 1, length))) {
            int newLength = Math.max(length, len);
            spare.ensure(tensorBytes(batch + 1, newLength));
            KvBlock from = past();
            for (int r = 0; r < batch; r++) {
                copyRow(from, r, 0, length, spare, r, newLength);
            }
            copyRow(sequence, 0, 0, len, spare, batch, newLength);
            swap();
            length = newLength;
        } else {
            copyRow(sequence, 0, 0, len, current, batch, length);
        }
        batch++;
    }

    /** Removes a row by moving the last row into its place; returns the moved row's old index or -1. */
    int remove(int row) {
        int last = batch - 1;
        if (row != last) {
            KvBlock block = past();
            copyRow(block, last, 0, length, current, row, length);
        }
        batch--;
        if (batch == 0) {
            clear();
        }
        return row != last ? last : -1;
    }

    /** Drops {@code drop} leading positions that every row has as padding (after the longest rows left). */
    void trim(int drop) {
        if (drop <= 0 || batch == 0) {
            return;
        }
        int newLength = length - drop;
        spare.ensure(tensorBytes(batch, newLength));
        KvBlock from = past();
        for (int r = 0; r < batch; r++) {
            copyRow(from, r, drop, newLength, spare, r, newLength);
        }
        swap();
        length = newLength;
    }

    /** Forgets the batch and gives the arenas' memory back. */
    void clear() {
        batch = 0;
        length = 0;
        current = new Arena(spec.layers());
        spare = new Arena(spec.layers());
    }

    /** Copies positions {@code [from, from+count)} of a source row to the end of a target row, zeroing the rest. */
    private void copyRow(KvBlock source, int sourceRow, int from, int count, Arena target, int targetRow, int targetLength) {
        int rowBytes = spec.headDim() * spec.kvElementBytes();
        for (int t = 0; t < source.tensors().length; t++) {
            ByteBuffer src = source.tensors()[t];
            ByteBuffer dst = target.tensors[t];
            for (int h = 0; h < spec.kvHeads(); h++) {
                long srcBase = ((long) sourceRow * spec.kvHeads() + h) * source.length() * rowBytes;
                long dstBase = ((long) targetRow * spec.kvHeads() + h) * targetLength * rowBytes;
                int pad = (targetLength - count) * rowBytes;
                zero(dst, Math.toIntExact(dstBase), pad);
                dst.put(Math.toIntExact(dstBase + pad), src, Math.toIntExact(srcBase + (long) from * rowBytes), count * rowBytes);
            }
        }
    }

    private static void zero(ByteBuffer dst, int at, int bytes) {
        while (bytes > 0) {
            int n = Math.min(bytes, ZEROS.capacity());
            dst.put(at, ZEROS, 0, n);
            at += n;
            bytes -= n;
        }
    }

    private long tensorBytes(int rows, int positions) {
        return (long) rows * positions * spec.kvRowBytes();
    }

    private void swap() {
        Arena t = current;
        current = spare;
        spare = t;
    }

    /** One set of per-layer K and V buffers, grown on demand (old contents are not kept). */
    private final class Arena {
        final ByteBuffer[] tensors;

        Arena(int layers) {
            tensors = new ByteBuffer[2 * layers];
            for (int i = 0; i < tensors.length; i++) {
                tensors[i] = ByteBuffer.allocateDirect(0);
            }
        }

        boolean holds(long bytes) {
            return tensors[0].capacity() >= bytes;
        }

        void ensure(long bytes) {
            if (holds(bytes)) {
                return;
            }
            int capacity = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(bytes, tensors[0].capacity() * 5L / 4));
            if (capacity < bytes) {
                throw new IllegalStateException("a KV tensor of " + bytes + " bytes exceeds one buffer");
            }
            for (int i = 0; i < tensors.length; i++) {
                tensors[i] = null;
                tensors[i] = ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
            }
        }

        KvBlock view(int rows, int positions) {
            int bytes = Math.toIntExact(tensorBytes(rows, positions));
            ByteBuffer[] views = new ByteBuffer[tensors.length];
            for (int i = 0; i < tensors.length; i++) {
                views[i] = tensors[i].slice(0, bytes).order(ByteOrder.nativeOrder());
            }
            return new KvBlock(views, rows, positions);
        }
    }
}
