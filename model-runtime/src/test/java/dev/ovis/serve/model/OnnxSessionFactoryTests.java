package dev.ovis.serve.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import dev.ovis.serve.testing.TinyFixture;
import org.junit.jupiter.api.Test;

class OnnxSessionFactoryTests {

    @Test
    void choosesCudaOnlyWhenTheBuildAndHostProvideIt() throws Exception {
        var factory = new OnnxSessionFactory(OnnxRuntimeOptions.defaults());
        if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            assertThat(factory.provider().kind()).isEqualTo(ExecutionProvider.Kind.CPU);
            assertThat(factory.provider().reason()).contains("no CUDA provider");
            assertThatThrownBy(() -> new OnnxSessionFactory(new OnnxRuntimeOptions(OnnxRuntimeOptions.Device.CUDA, 0, 0)))
                    .isInstanceOf(OrtException.class).hasMessageContaining("CUDA was required");
        }
        assertThat(new OnnxSessionFactory(new OnnxRuntimeOptions(OnnxRuntimeOptions.Device.CPU, 0, 1)).provider().reason())
                .isEqualTo("CPU requested by configuration");
    }

    @Test
    void sessionsExposeTheGraphIoAndRefuseUseAfterClose() throws Exception {
        var dir = ModelDirectory.open(TinyFixture.DIR);
        var sessions = OnnxSessions.open(dir, new OnnxRuntimeOptions(OnnxRuntimeOptions.Device.CPU, 0, 1));
        assertThat(sessions.vision().getInputNames()).containsExactly("pixel_values");
        assertThat(sessions.vision().getOutputNames()).containsExactly("visual_embeds");
        assertThat(sessions.decoder().getInputNames()).startsWith("inputs_embeds", "attention_mask", "position_ids",
                "past_key_values.0.key", "past_key_values.0.value");
        assertThat(sessions.decoder().getOutputNames()).startsWith("logits", "present.0.key", "present.0.value");
        sessions.close();
        sessions.close();
        assertThatThrownBy(sessions::decoder).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void opensAGraphHeldInMemoryAsItOpensTheFile() throws Exception {
        // given: the tiny vision graph as a file and as bytes (OCR's models come from a jar, as bytes)
        var dir = ModelDirectory.open(TinyFixture.DIR);
        var factory = new OnnxSessionFactory(new OnnxRuntimeOptions(OnnxRuntimeOptions.Device.CPU, 0, 1));
        byte[] bytes = java.nio.file.Files.readAllBytes(dir.visionGraph());

        // when
        try (OrtSession fromFile = factory.open(dir.visionGraph()); OrtSession fromBytes = factory.open(bytes)) {
            // then
            assertThat(fromBytes.getInputNames()).isEqualTo(fromFile.getInputNames());
            assertThat(fromBytes.getOutputNames()).isEqualTo(fromFile.getOutputNames());
        }
        assertThat(factory.environment()).isSameAs(OrtEnvironment.getEnvironment());
    }
}
