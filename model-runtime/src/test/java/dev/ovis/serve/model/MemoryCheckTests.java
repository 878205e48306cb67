package dev.ovis.serve.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovis.serve.testing.TinyFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import ai.onnxruntime.OrtException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryCheckTests {

    @TempDir
    Path dir;

    @Test
    void weightsCountTheGraphAndItsExternalData() throws IOException {
        Path graph = graph(1_000, 4_000);
        assertThat(MemoryCheck.weightBytes(graph)).isEqualTo(5_000);
    }

    @Test
    void aGraphWhoseWeightsDoNotFitIsRefusedNamingSizesAndTheWayOut() throws IOException {
        Path graph = graph(1_000, 4_000);
        assertThatThrownBy(() -> MemoryCheck.check(graph, 4_999))
                .isInstanceOf(OrtException.class)
                .hasMessageContaining("cannot load " + graph)
                .hasMessageContaining("0.00 GB")
                .hasMessageContaining("--precision int8");
    }

    @Test
    void aGraphThatFitsLoads() throws IOException {
        Path graph = graph(1_000, 0);
        assertThatCode(() -> MemoryCheck.check(graph, 1_000)).doesNotThrowAnyException(); // tight: a warning only
        assertThatCode(() -> MemoryCheck.check(graph, 10_000)).doesNotThrowAnyException();
    }

    @Test
    void theCommittedTinyModelPassesOnThisMachine() {
        assertThatCode(() -> MemoryCheck.beforeLoading(TinyFixture.DIR.resolve("decoder.onnx"))).doesNotThrowAnyException();
    }

    private Path graph(int graphBytes, int dataBytes) throws IOException {
        Path graph = dir.resolve("decoder.onnx");
        Files.write(graph, new byte[graphBytes]);
        if (dataBytes > 0) {
            Files.write(dir.resolve("decoder.onnx.data"), new byte[dataBytes]);
        }
        return graph;
    }
}
