package dev.ovis.serve.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovis.serve.testing.TinyFixture;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingTableTests {

    @TempDir
    Path temp;

    @Test
    void readsFloat32RowsAcrossChunks() throws IOException {
        // given 7 rows of 3 floats, value = row * 10 + col, mapped in chunks of 2 rows
        Path file = temp.resolve("t32.bin");
        ByteBuffer b = ByteBuffer.allocate(7 * 3 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < 7; r++) {
            for (int c = 0; c < 3; c++) {
                b.putFloat(r * 10 + c);
            }
        }
        Files.write(file, b.array());
        try (EmbeddingTable t = EmbeddingTable.open(file, EmbeddingTable.Dtype.FLOAT32, 7, 3, 24)) {
            // then
            assertThat(t.row(0)).containsExactly(0f, 1f, 2f);
            assertThat(t.row(3)).containsExactly(30f, 31f, 32f);
            assertThat(t.row(6)).containsExactly(60f, 61f, 62f);
            float[] dst = new float[5];
            t.copyRow(5, dst, 2);
            assertThat(dst).containsExactly(0f, 0f, 50f, 51f, 52f);
            assertThatThrownBy(() -> t.row(7)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void readsFloat16RowsAsFloat32() throws IOException {
        Path file = temp.resolve("t16.bin");
        float[] values = {0.5f, -2f, 65504f, 1.0009765625f};
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putShort(Float.floatToFloat16(v));
        }
        Files.write(file, b.array());
        try (EmbeddingTable t = EmbeddingTable.open(file, new ModelManifest.Table("t16.bin", "float16", 2, 2))) {
            assertThat(t.dtype()).isEqualTo(EmbeddingTable.Dtype.FLOAT16);
            assertThat(t.row(0)).containsExactly(0.5f, -2f);
            assertThat(t.row(1)).containsExactly(65504f, 1.0009765625f);
        }
    }

    @Test
    void refusesAWrongSizeAndUseAfterClose() throws IOException {
        Path file = temp.resolve("bad.bin");
        Files.write(file, new byte[10]);
        assertThatThrownBy(() -> EmbeddingTable.open(file, new ModelManifest.Table("bad.bin", "float32", 1, 3)))
                .isInstanceOf(InvalidModelException.class).hasMessageContaining("bad.bin");
        assertThatThrownBy(() -> EmbeddingTable.open(file, new ModelManifest.Table("bad.bin", "bfloat16", 1, 5)))
                .hasMessageContaining("unsupported embedding dtype 'bfloat16'");
        EmbeddingTable t = ModelDirectory.open(TinyFixture.DIR).openIndicatorEmbeddings();
        assertThat(t.rows()).isEqualTo(5);
        t.close();
        t.close();
        assertThatThrownBy(() -> t.row(0)).isInstanceOf(IllegalStateException.class);
    }
}
