package dev.ovis.serve.vision.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovis.serve.common.chat.ChatMessage;
import dev.ovis.serve.common.chat.ChatTask;
import dev.ovis.serve.common.chat.ContentPart;
import dev.ovis.serve.common.chat.PartType;
import dev.ovis.serve.common.chat.Role;
import dev.ovis.serve.common.chat.SamplingParams;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.Route;
import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.common.job.StageRequest;
import dev.ovis.serve.common.layout.ImageLayout;
import dev.ovis.serve.common.media.MediaRef;
import dev.ovis.serve.model.ModelDirectory;
import dev.ovis.serve.model.OnnxRuntimeOptions;
import dev.ovis.serve.model.OnnxSessionFactory;
import dev.ovis.serve.support.stage.StageContext;
import dev.ovis.serve.support.stage.StageException;
import dev.ovis.serve.support.stage.StageOutcome;
import dev.ovis.serve.testing.InMemoryObjectStore;
import dev.ovis.serve.testing.RecordingStageContext;
import dev.ovis.serve.testing.TinyFixture;
import dev.ovis.serve.vision.cache.CacheProperties;
import dev.ovis.serve.vision.cache.EmbeddingCache;
import dev.ovis.serve.vision.image.ImageDecoder;
import dev.ovis.serve.vision.image.ImageProperties;
import dev.ovis.serve.vision.preprocess.ImagePreprocessor;
import dev.ovis.serve.vision.preprocess.PreprocessProperties;
import dev.ovis.serve.vision.tokenizer.OnnxVisualTokenizer;
import dev.ovis.serve.vision.tokenizer.VisionModel;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The stage's handling of chat jobs on the tiny model, with a map-backed store. */
class VisionStageHandlerTests {

    private static OnnxVisualTokenizer tokenizer;
    private static VisionModel model;
    private final InMemoryObjectStore store = new InMemoryObjectStore();
    private VisionStageHandler handler;

    @BeforeAll
    static void open() throws Exception {
        model = VisionModel.of(ModelDirectory.open(TinyFixture.DIR));
        tokenizer = new OnnxVisualTokenizer(model, new OnnxSessionFactory(new OnnxRuntimeOptions(OnnxRuntimeOptions.Device.CPU, 0, 2)));
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @org.junit.jupiter.api.BeforeEach
    void handler() {
        handler = handler(PreprocessProperties.defaults());
    }

    private VisionStageHandler handler(PreprocessProperties preprocess) {
        ImageEmbedder embedder = new ImageEmbedder(store, new ImageDecoder(ImageProperties.defaults()), new ImagePreprocessor(),
                tokenizer, model, new EmbeddingCache(store, CacheProperties.defaults()), ImageProperties.defaults());
        return new VisionStageHandler(embedder, preprocess);
    }

    @Test
    void attachesEmbeddingsToEveryImageInPromptOrder() throws Exception {
        // given a small BMP at max_partition 4, a 1x1 PNG at the default, and a VGA video frame
        MediaRef wide = upload("decode/rgb24.bmp");
        MediaRef small = upload("conformance/images/pixel.png");
        ContentPart frame = new ContentPart(PartType.IMAGE, null, upload("conformance/images/vga.png"), null, null, 1.5, null);
        StageRequest request = request(List.of(ContentPart.text("Compare"), ContentPart.image(wide, 4), ContentPart.image(small, null), frame));
        RecordingStageContext context = new RecordingStageContext();
        // when
        StageOutcome outcome = handle(request, context);
        // then
        List<ContentPart> parts = ((JobPayload.Chat) ((StageOutcome.Forward) outcome).payload()).task().messages().get(0).parts();
        assertThat(parts.get(0).visual()).isNull();
        assertThat(parts.get(1).visual().layout()).isEqualTo(new ImageLayout(1, 1));
        assertThat(parts.get(2).visual().layout()).isEqualTo(new ImageLayout(1, 1));
        assertThat(parts.get(3).visual().layout()).as("video frames use max_partition 1").isEqualTo(new ImageLayout(1, 1));
        assertThat(parts.get(1).visual().tensor().size()).isEqualTo(256L * model.hidden() * 4);
        assertThat(parts.get(1).visual().modelId()).as("the name the llm stage checks").isEqualTo("ovis2-random-tiny-seed0-fp32");
        assertThat(context.fractions()).containsExactly(1.0 / 3, 2.0 / 3, 1.0);
        assertThat(context.messages().get(0)).isEqualTo("image 1 of 3 embedded");
    }

    @Test
    void anImageWithoutMaxPartitionGetsTheDeploymentsDefault() throws Exception {
        // given VGA (640x480: a 2x2 grid at max_partition 4 or more, ovis2.md §12.1; the whole image only at 1),
        // once without max_partition, once with the client's own 4
        MediaRef vga = upload("conformance/images/vga.png");
        StageRequest unnamed = request(List.of(ContentPart.image(vga, null)));
        StageRequest named = request(List.of(ContentPart.image(vga, 4)));
        // when the deployment's default is the reference's 9, then 1
        ImageLayout atNine = layout(handle(unnamed, new RecordingStageContext()));
        handler = handler(new PreprocessProperties(1));
        ImageLayout atOne = layout(handle(unnamed, new RecordingStageContext()));
        ImageLayout clientsOwn = layout(handle(named, new RecordingStageContext()));
        // then the default decides only where the request names nothing
        assertThat(atNine).isEqualTo(new ImageLayout(2, 2));
        assertThat(atOne).isEqualTo(new ImageLayout(1, 1));
        assertThat(clientsOwn).isEqualTo(new ImageLayout(2, 2));
    }

    @Test
    void aRepeatedImageCostsNoSecondPass() throws Exception {
        StageRequest request = request(List.of(ContentPart.image(upload("conformance/images/vga.png"), 4)));
        StageOutcome first = handle(request, new RecordingStageContext());
        int puts = store.puts();
        RecordingStageContext again = new RecordingStageContext();
        StageOutcome second = handle(request, again);
        assertThat(store.puts()).isEqualTo(puts);
        assertThat(again.messages()).containsExactly("image 1 of 1 embedded (cached)");
        assertThat(((StageOutcome.Forward) second).payload()).isEqualTo(((StageOutcome.Forward) first).payload());
    }

    @Test
    void aCorruptImageFailsTheJobNamingIt() throws Exception {
        MediaRef good = upload("conformance/images/pixel.png");
        MediaRef corrupt = store.putBytes("acme/media/corrupt", "\u0089PNG\r\n\u001a\nnot really".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), "image/png");
        StageRequest request = request(List.of(ContentPart.image(good, null), ContentPart.image(corrupt, null), ContentPart.image(good, null)));
        assertThatThrownBy(() -> handle(request, new RecordingStageContext()))
                .isInstanceOfSatisfying(StageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CORRUPT_MEDIA))
                .hasMessageStartingWith("image 2 of 3: cannot decode PNG");
    }

    @Test
    void aBombFailsWithImageTooLarge() {
        MediaRef bomb = store.putBytes("acme/media/bomb", pngHeader(), "image/png");
        assertThatThrownBy(() -> handle(request(List.of(ContentPart.image(bomb, null))), new RecordingStageContext()))
                .isInstanceOfSatisfying(StageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.IMAGE_TOO_LARGE))
                .hasMessageStartingWith("image 1 of 1: PNG declares 40000x40000");
    }

    @Test
    void aMissingObjectFailsWithNotFound() {
        MediaRef missing = new MediaRef("test-bucket", "acme/media/gone", "image/png", "cd".repeat(32), 10);
        assertThatThrownBy(() -> handle(request(List.of(ContentPart.image(missing, null))), new RecordingStageContext()))
                .isInstanceOfSatisfying(StageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void stopsWhenCancelled() throws Exception {
        RecordingStageContext context = new RecordingStageContext();
        context.cancel();
        StageRequest request = request(List.of(ContentPart.image(upload("conformance/images/pixel.png"), null)));
        assertThatThrownBy(() -> handle(request, context))
                .isInstanceOfSatisfying(StageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED));
    }

    private static ImageLayout layout(StageOutcome outcome) {
        return ((JobPayload.Chat) ((StageOutcome.Forward) outcome).payload()).task().messages().get(0).parts().get(0).visual().layout();
    }

    private MediaRef upload(String resource) throws IOException {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(resource)) {
            byte[] bytes = in.readAllBytes();
            return store.putBytes("acme/media/" + InMemoryObjectStore.sha256(bytes), bytes, "image/*");
        }
    }

    private StageOutcome handle(StageRequest request, StageContext context) throws StageException {
        return handler.handle(request, ((JobPayload.Chat) request.payload()).task(), context);
    }

    private static StageRequest request(List<ContentPart> parts) {
        ChatTask chat = new ChatTask("tiny", List.of(new ChatMessage(Role.USER, parts)), SamplingParams.REFERENCE, false);
        return new StageRequest("job-1", "acme", new Route(List.of(Stage.VISION, Stage.LLM)), Stage.VISION, null, JobPayload.of(chat));
    }

    private static byte[] pngHeader() {
        return dev.ovis.serve.vision.image.PngHeaders.header(40_000, 40_000);
    }
}
