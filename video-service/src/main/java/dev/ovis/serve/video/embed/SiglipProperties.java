package dev.ovis.serve.video.embed;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * An optional SigLIP-style encoder pair on ONNX Runtime ({@code ovis.video.siglip.*}). Unset
 * (the default) means the model-free {@link DescriptorFrameEmbedder}. See docs/video.md for the
 * graphs expected.
 *
 * @param imageModel  ONNX graph {@code pixel_values} float32 [N,3,S,S] → {@code image_embeds} float32 [N,D]
 * @param textModel   ONNX graph {@code input_ids} int64 [B,T] (T ≤ textLength) → {@code text_embeds} float32 [B,D]
 * @param tokenizer   the text tower's {@code tokenizer.json} (Hugging Face tokenizers format)
 * @param imageSize   S, the image tower's input size (so400m-patch14-384: 384)
 * @param mean        per-channel normalisation mean (SigLIP: 0.5)
 * @param std         per-channel normalisation std (SigLIP: 0.5)
 * @param textLength  the text tower's context (SigLIP: 64); longer questions are embedded in chunks and averaged
 * @param padTokenId  the id questions are padded with up to textLength (SigLIP: 1)
 * @param batchSize   frames per image-tower run
 */
@ConfigurationProperties("ovis.video.siglip")
@Validated
public record SiglipProperties(
        Path imageModel,
        Path textModel,
        Path tokenizer,
        @DefaultValue("384") @Min(16) @Max(2048) int imageSize,
        @DefaultValue("0.5") float mean,
        @DefaultValue("0.5") float std,
        @DefaultValue("64") @Min(4) int textLength,
        @DefaultValue("1") long padTokenId,
        @DefaultValue("16") @Min(1) int batchSize) {

    /** Whether an encoder pair is configured at all. */
    public boolean configured() {
        return imageModel != null || textModel != null || tokenizer != null;
    }
}
