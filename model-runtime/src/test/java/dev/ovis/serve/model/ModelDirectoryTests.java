package dev.ovis.serve.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovis.serve.testing.TinyFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelDirectoryTests {

    @TempDir
    Path temp;

    @Test
    void opensTheTinyFixtureWithItsDimensions() throws IOException {
        // when
        ModelDirectory dir = ModelDirectory.open(TinyFixture.DIR);
        // then
        ModelManifest m = dir.manifest();
        assertThat(m.vision().tokensPerCrop()).isEqualTo(256);
        assertThat(m.vision().imageSize()).isEqualTo(448);
        assertThat(m.llm().hiddenSize()).isEqualTo(64);
        assertThat(m.llm().numKeyValueHeads()).isEqualTo(2);
        assertThat(m.textEmbeddings().rows()).isEqualTo(m.llm().vocabSize());
        assertThat(m.stopIds()).containsExactly(m.specialIds().imEnd(), m.specialIds().endoftext());
        assertThat(m.prompt().indicatorIds()).containsExactly(-301, -302, -303, -304, -305);
        assertThat(m.preprocess().imageMean()).hasSize(3);
        assertThat(dir.decoderGraph()).exists();
        assertThat(dir.tokenizerJson()).exists();
    }

    @Test
    void failsOnAMissingDirectory() {
        assertThatThrownBy(() -> ModelDirectory.open(temp.resolve("nope")))
                .isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("nope").hasMessageContaining("not a model directory");
    }

    @Test
    void failsOnADirectoryWithoutManifest() {
        assertThatThrownBy(() -> ModelDirectory.open(temp))
                .isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("model.json").hasMessageContaining("missing");
    }

    @Test
    void failsOnACorruptFileNamingIt() throws IOException {
        // given a copy whose decoder has one byte changed
        Path copy = copyFixture();
        Path decoder = copy.resolve("decoder.onnx");
        byte[] bytes = Files.readAllBytes(decoder);
        bytes[bytes.length / 2] ^= 1;
        Files.write(decoder, bytes);
        // then
        assertThatThrownBy(() -> ModelDirectory.open(copy))
                .isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("decoder.onnx").hasMessageContaining("sha256 mismatch")
                .extracting(e -> ((InvalidModelException) e).file()).isEqualTo(decoder);
        // and a size check alone does not notice it
        assertThat(ModelDirectory.open(copy, ModelDirectory.Verification.SIZES).manifest()).isNotNull();
    }

    @Test
    void failsOnATruncatedOrMissingFile() throws IOException {
        Path copy = copyFixture();
        Files.write(copy.resolve("text_embeds.bin"), new byte[10]);
        assertThatThrownBy(() -> ModelDirectory.open(copy, ModelDirectory.Verification.SIZES))
                .hasMessageContaining("text_embeds.bin").hasMessageContaining("size 10 bytes");
        Files.delete(copy.resolve("text_embeds.bin"));
        assertThatThrownBy(() -> ModelDirectory.open(copy))
                .hasMessageContaining("text_embeds.bin").hasMessageContaining("missing");
    }

    @Test
    void failsOnUnknownFormatsAndBrokenJson() throws IOException {
        Path copy = copyFixture();
        Path manifest = copy.resolve("model.json");
        String json = Files.readString(manifest);
        Files.writeString(manifest, json.replace("\"format_version\": 1", "\"format_version\": 99"));
        assertThatThrownBy(() -> ModelDirectory.open(copy)).hasMessageContaining("format_version 99 is not supported");
        Files.writeString(manifest, json.replace("\"ovis2-onnx\"", "\"llava\""));
        assertThatThrownBy(() -> ModelDirectory.open(copy)).hasMessageContaining("format is 'llava'");
        Files.writeString(manifest, json.substring(0, json.length() / 2));
        assertThatThrownBy(() -> ModelDirectory.open(copy)).hasMessageContaining("model.json: unreadable JSON");
        Files.writeString(manifest, json.replace("\"num_key_value_heads\": 2", "\"num_key_value_heads\": 3"));
        assertThatThrownBy(() -> ModelDirectory.open(copy)).hasMessageContaining("multiple of num_key_value_heads");
    }

    @Test
    void readsTheCheckpointsGenerationDefaultsAndChatTemplateWhenPresent() throws IOException {
        // given the fixture (a random-init export: neither object) and a copy that has both
        assertThat(ModelDirectory.open(TinyFixture.DIR).manifest().generation()).isNull();
        Path copy = copyFixture();
        Path manifest = copy.resolve("model.json");
        String json = Files.readString(manifest);
        Files.writeString(manifest, json.replace("\"files\": [", """
                "generation": {"source": "generation_config.json", "eos_token_ids": [452, 450], "pad_token_id": 450,
                               "do_sample": true, "temperature": 0.7, "top_p": 0.8, "top_k": 20,
                               "repetition_penalty": 1.05},
                "chat_template": {"source": "tokenizer_config.json", "template": "{{ messages }}"},
                "files": ["""));
        // when
        ModelManifest m = ModelDirectory.open(copy).manifest();
        // then
        assertThat(m.generation().eosTokenIds()).containsExactly(452, 450);
        assertThat(m.generation().temperature()).isEqualTo(0.7);
        assertThat(m.generation().topK()).isEqualTo(20);
        assertThat(m.generation().maxNewTokens()).isNull();
        assertThat(m.chatTemplate().source()).isEqualTo("tokenizer_config.json");
        // and an eos id that stop_ids lacks, or outside the vocabulary, is refused by field
        Files.writeString(manifest, Files.readString(manifest).replace("[452, 450]", "[452, 449]"));
        assertThatThrownBy(() -> ModelDirectory.open(copy))
                .hasMessageContaining("generation.eos_token_ids has 449, which stop_ids [452, 450] lacks");
        Files.writeString(manifest, Files.readString(manifest).replace("[452, 449]", "[452, 9999]"));
        assertThatThrownBy(() -> ModelDirectory.open(copy))
                .hasMessageContaining("generation.eos_token_ids: token id 9999 outside the vocabulary");
    }

    @Test
    void refusesFileEntriesOutsideTheDirectory() throws IOException {
        Path copy = copyFixture();
        Path manifest = copy.resolve("model.json");
        Files.writeString(manifest, Files.readString(manifest).replace("\"files\": [",
                "\"files\": [{\"path\": \"../model.json\", \"size\": 1, \"sha256\": \"00\"},"));
        assertThatThrownBy(() -> ModelDirectory.open(copy)).hasMessageContaining("escapes the directory");
    }

    private Path copyFixture() throws IOException {
        Path copy = temp.resolve("model");
        Files.createDirectories(copy);
        try (Stream<Path> files = Files.list(TinyFixture.DIR)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, copy.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return copy;
    }
}
