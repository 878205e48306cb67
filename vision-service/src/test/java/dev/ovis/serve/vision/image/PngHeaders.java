package dev.ovis.serve.vision.image;

/** Test images made of nothing but a header: decompression bombs that must be refused unread. */
public final class PngHeaders {

    private PngHeaders() {
    }

    /** A PNG signature and IHDR (8-bit RGB) declaring {@code width × height}, with no pixel data. */
    public static byte[] header(int width, int height) {
        return ImageDecoderTests.pngHeader(width, height);
    }
}
