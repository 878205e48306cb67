package dev.ovis.serve.ocr.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class ModelLoaderTests {

    private final ModelLoader loader = new ModelLoader();

    @Test
    void thePinnedDictionaryMatchesItsSha256() throws IOException {
        byte[] bytes = loader.read(new ModelFile("classpath:models/ppocr_keys_v1.txt",
                "28b2362ad4ab2dc38769aa72feb535e3a9ddb3fd2a7585a05920e6393b1dc7f7"));

        assertThat(bytes).hasSizeGreaterThan(20_000);
    }

    @Test
    void aChangedFileIsRefusedNamingTheFile() {
        assertThatThrownBy(() -> loader.read(new ModelFile("classpath:models/ppocr_keys_v1.txt", "00".repeat(32))))
                .isInstanceOf(IOException.class).hasMessageContaining("sha256 mismatch for classpath:models/ppocr_keys_v1.txt");
    }

    @Test
    void aMissingFileIsNamed() {
        assertThatThrownBy(() -> loader.read(new ModelFile("file:/nonexistent/rec.onnx", "")))
                .isInstanceOf(IOException.class).hasMessageContaining("/nonexistent/rec.onnx");
    }
}
