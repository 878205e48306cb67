package dev.ovis.serve.gateway.batch;

import java.util.List;

/** The endpoints a batch may target: OpenAI's chat completions and, as extensions, this suite's OCR and key frames. */
final class BatchEndpoints {

    static final String CHAT = "/v1/chat/completions";
    static final String OCR = "/v1/ocr";
    static final String KEYFRAMES = "/v1/video/keyframes";
    static final List<String> ALL = List.of(CHAT, OCR, KEYFRAMES);

    private BatchEndpoints() {
    }
}
