package dev.ovis.serve.model;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A memory-mapped embedding table ({@code text_embeds.bin}, {@code indicator_embeds.bin}): raw little-endian
 * rows of float32 or float16, read row by row as float32. Tables larger than 2 GiB are mapped in chunks of
 * whole rows. Reads are thread-safe (absolute gets only); {@link #close()} releases the mapping references.
 */
public final class EmbeddingTable implements AutoCloseable {

    /** Element types a table may hold. */
    public enum Dtype {
        FLOAT32(4), FLOAT16(2);

        private final int bytes;

        Dtype(int bytes) {
            this.bytes = bytes;
        }

        public int bytes() {
            return bytes;
        }

        /** Parses a manifest dtype ({@code float32} / {@code float16}). */
        static Dtype of(Path file, String name) throws InvalidModelException {
            if ("float32".equals(name)) {
                return FLOAT32;
            }
            if ("float16".equals(name)) {
                return FLOAT16;
            }
            throw new InvalidModelException(file, "unsupported embedding dtype '" + name + "' (float32 or float16)");
        }
    }

    static final long DEFAULT_CHUNK_BYTES = 1L << 30;

    private final Dtype dtype;
    private final long rows;
    private final int cols;
    private final long rowsPerChunk;
    private volatile FloatBuffer[] floats;
    private volatile ShortBuffer[] halves;

    private EmbeddingTable(Dtype dtype, long rows, int cols, long rowsPerChunk, FloatBuffer[] floats,
                           ShortBuffer[] halves) {
        this.dtype = dtype;
        this.rows = rows;
        this.cols = cols;
        this.rowsPerChunk = rowsPerChunk;
        this.floats = floats;
        this.halves = halves;
    }

    /** Maps {@code file} as described by a manifest table entry. */
    public static EmbeddingTable open(Path file, ModelManifest.Table spec) throws IOException {
        return open(file, Dtype.of(file, spec.dtype()), spec.rows(), spec.cols(), DEFAULT_CHUNK_BYTES);
    }

    static EmbeddingTable open(Path file, Dtype dtype, long rows, int cols, long chunkBytes) throws IOException {
        long rowBytes = (long) cols * dtype.bytes();
        long rowsPerChunk = Math.max(1, chunkBytes / rowBytes);
        int chunks = (int) ((rows + rowsPerChunk - 1) / rowsPerChunk);
        FloatBuffer[] f = dtype == Dtype.FLOAT32 ? new FloatBuffer[chunks] : null;
        ShortBuffer[] h = dtype == Dtype.FLOAT16 ? new ShortBuffer[chunks] : null;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() != rows * rowBytes) {
                throw new InvalidModelException(file, "holds " + ch.size() + " bytes, expected " + rows * rowBytes);
            }
            for (int i = 0; i < chunks; i++) {
                long first = i * rowsPerChunk;
                long n = Math.min(rowsPerChunk, rows - first);
                var map = ch.map(FileChannel.MapMode.READ_ONLY, first * rowBytes, n * rowBytes).order(ByteOrder.LITTLE_ENDIAN);
                if (f != null) {
                    f[i] = map.asFloatBuffer();
                } else {
                    h[i] = map.asShortBuffer();
                }
            }
        }
        return new EmbeddingTable(dtype, rows, cols, rowsPerChunk, f, h);
    }

    public long rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public Dtype dtype() {
        return dtype;
    }

    /** Copies row {@code row} as float32 into {@code dst[offset .. offset + cols)}. */
    public void copyRow(long row, float[] dst, int offset) {
        if (row < 0 || row >= rows) {
            throw new IndexOutOfBoundsException("row " + row + " outside [0, " + rows + ")");
        }
        int chunk = (int) (row / rowsPerChunk);
        int start = (int) ((row % rowsPerChunk) * cols);
        if (dtype == Dtype.FLOAT32) {
            FloatBuffer[] f = floats;
            ensureOpen(f);
            f[chunk].get(start, dst, offset, cols);
        } else {
            ShortBuffer[] h = halves;
            ensureOpen(h);
            ShortBuffer b = h[chunk];
            for (int i = 0; i < cols; i++) {
                dst[offset + i] = Float.float16ToFloat(b.get(start + i));
            }
        }
    }

    /** Row {@code row} as a new float32 array. */
    public float[] row(long row) {
        float[] out = new float[cols];
        copyRow(row, out, 0);
        return out;
    }

    private static void ensureOpen(Object buffers) {
        if (buffers == null) {
            throw new IllegalStateException("embedding table is closed");
        }
    }

    /** Drops the mappings (the JVM unmaps them once unreachable). Idempotent. */
    @Override
    public void close() {
        floats = null;
        halves = null;
    }
}
