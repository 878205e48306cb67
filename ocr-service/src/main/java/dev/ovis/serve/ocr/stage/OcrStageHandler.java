package dev.ovis.serve.ocr.stage;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.JobResult;
import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.common.job.StageRequest;
import dev.ovis.serve.common.ocr.OcrResult;
import dev.ovis.serve.common.ocr.OcrTask;
import dev.ovis.serve.ocr.engine.OcrEngine;
import dev.ovis.serve.ocr.engine.OcrProperties;
import dev.ovis.serve.ocr.image.ImageDecoder;
import dev.ovis.serve.ocr.image.RgbImage;
import dev.ovis.serve.ocr.page.OcrException;
import dev.ovis.serve.support.image.InvalidImageException;
import dev.ovis.serve.support.stage.StageContext;
import dev.ovis.serve.support.stage.StageException;
import dev.ovis.serve.support.stage.StageHandler;
import dev.ovis.serve.support.stage.StageOutcome;
import dev.ovis.serve.support.storage.ObjectStore;
import dev.ovis.serve.support.storage.ObjectStoreException;
import org.springframework.stereotype.Component;

/**
 * The OCR stage: reads the image from the object store (at most {@code ovis.ocr.limits.max-bytes}),
 * decodes it with the pixel-count guard, runs the engine and completes the job with the
 * {@link OcrResult}. Bad input fails the job with a precise code; memory per job is bounded by
 * the byte and pixel limits times {@code ovis.stage.concurrency}.
 */
@Component
class OcrStageHandler implements StageHandler<OcrTask> {

    private final ObjectStore store;
    private final ImageDecoder decoder;
    private final OcrEngine engine;
    private final long maxBytes;

    OcrStageHandler(ObjectStore store, ImageDecoder decoder, OcrEngine engine, OcrProperties properties) {
        this.store = store;
        this.decoder = decoder;
        this.engine = engine;
        this.maxBytes = properties.limits().maxBytes();
    }

    @Override
    public Stage stage() {
        return Stage.OCR;
    }

    @Override
    public Class<OcrTask> taskType() {
        return OcrTask.class;
    }

    @Override
    public StageOutcome handle(StageRequest request, OcrTask task, StageContext context) throws StageException {
        byte[] bytes;
        try {
            bytes = store.readAll(task.media(), maxBytes);
        } catch (ObjectStoreException e) {
            throw StageException.of("image " + task.media().key(), e);
        }
        try {
            RgbImage image = decoder.decode(bytes);
            bytes = null; // let the encoded bytes go before the engines allocate
            context.progress(0.1, "decoded " + image.width() + "x" + image.height());
            if (context.cancelled()) {
                throw new StageException(ErrorCode.CANCELLED, "cancelled before OCR");
            }
            OcrResult result = engine.read(image, task.languages(), task.engine());
            return new StageOutcome.Complete(JobResult.of(result));
        } catch (InvalidImageException | OcrException e) {
            throw StageException.of(e);
        }
    }
}
