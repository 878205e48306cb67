package dev.ovis.serve.video.stage;

import ai.onnxruntime.OrtException;
import dev.ovis.serve.support.storage.ObjectStore;
import dev.ovis.serve.video.decode.FfmpegPrograms;
import dev.ovis.serve.video.decode.FfmpegVideoDecoder;
import dev.ovis.serve.video.decode.VideoProperties;
import dev.ovis.serve.video.embed.DescriptorFrameEmbedder;
import dev.ovis.serve.video.embed.FrameEmbedder;
import dev.ovis.serve.video.embed.OnnxSiglipFrameEmbedder;
import dev.ovis.serve.video.embed.SiglipProperties;
import dev.ovis.serve.video.keyframe.KeyframeSelector;
import dev.ovis.serve.video.keyframe.Mdp3KeyframeSelector;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the video stage: bundled FFmpeg, the frame embedder (SigLIP when configured), MDP3. */
@Configuration(proxyBeanMethods = false)
public class VideoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(VideoConfiguration.class);

    @Bean
    FfmpegPrograms ffmpegPrograms() {
        FfmpegPrograms programs = FfmpegPrograms.bundled();
        log.info("using the bundled FFmpeg: {}", programs.ffmpeg());
        return programs;
    }

    @Bean(destroyMethod = "close")
    FfmpegVideoDecoder videoDecoder(FfmpegPrograms programs, VideoProperties properties) {
        return new FfmpegVideoDecoder(programs, properties);
    }

    @Bean
    FrameEmbedder frameEmbedder(SiglipProperties siglip) throws IOException, OrtException {
        if (siglip.configured()) {
            log.info("frame embedder: SigLIP-style ONNX pair {} / {}", siglip.imageModel(), siglip.textModel());
            return new OnnxSiglipFrameEmbedder(siglip);
        }
        log.info("frame embedder: model-free colour/structure descriptors (constant relevance); "
                + "set ovis.video.siglip.* for question-aware selection");
        return new DescriptorFrameEmbedder();
    }

    @Bean
    KeyframeSelector keyframeSelector() {
        return new Mdp3KeyframeSelector();
    }

    @Bean
    KeyframeExtractor keyframeExtractor(ObjectStore store, FfmpegVideoDecoder decoder, FrameEmbedder embedder,
                                        KeyframeSelector selector, VideoProperties properties) {
        return new KeyframeExtractor(store, decoder, embedder, selector, properties);
    }

    @Bean
    ChatVideoStageHandler chatVideoStageHandler(KeyframeExtractor extractor) {
        return new ChatVideoStageHandler(extractor);
    }

    @Bean
    KeyframesStageHandler keyframesStageHandler(KeyframeExtractor extractor) {
        return new KeyframesStageHandler(extractor);
    }
}
