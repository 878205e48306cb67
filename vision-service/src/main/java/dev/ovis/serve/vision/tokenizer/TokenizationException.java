package dev.ovis.serve.vision.tokenizer;

/** The vision model failed to run (ONNX Runtime error, tokenizer shut down): not the input's fault. */
public class TokenizationException extends Exception {

    public TokenizationException(String message, Throwable cause) {
        super(message, cause);
    }

    public TokenizationException(String message) {
        super(message);
    }
}
