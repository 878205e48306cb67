package dev.ovis.serve.ocr.image;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.ocr.engine.OcrException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import dev.ovis.serve.support.image.DecodedImageSize;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes untrusted image bytes with bounded memory: the format is sniffed from the bytes, the
 * pixel count is read from the header and checked <em>before</em> any pixel is decoded
 * (decompression bombs), and decoder warnings (e.g. a truncated JPEG that Java would otherwise
 * fill with grey) count as corruption.
 *
 * @param maxPixels       the most pixels an image may declare
 * @param maxDecodedBytes the most bytes its decoded raster may take (width × height × bits of all bands, from the
 *                        header): a deep image is refused although its pixel count is fine
 */
public record ImageDecoder(long maxPixels, long maxDecodedBytes) {

    /** The default decoded-bytes limit, 256 MiB: script detection and binarisation copy the image several times. */
    public static final long DEFAULT_MAX_DECODED_BYTES = 256L << 20;

    public ImageDecoder(long maxPixels) {
        this(maxPixels, DEFAULT_MAX_DECODED_BYTES);
    }

    public RgbImage decode(byte[] bytes) throws OcrException {
        if (bytes.length == 0) {
            throw new OcrException(ErrorCode.CORRUPT_MEDIA, "the image is empty (0 bytes)");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new OcrException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                        "not an image in a supported format (PNG, JPEG, GIF, BMP, TIFF)");
            }
            ImageReader reader = readers.next();
            String format = reader.getFormatName().toUpperCase(java.util.Locale.ROOT);
            try {
                reader.setInput(in, true, true);
                DecodedImageSize size;
                try {
                    size = DecodedImageSize.of(reader, 0);
                } catch (IOException | RuntimeException e) {
                    throw new OcrException(ErrorCode.CORRUPT_MEDIA, format + " header cannot be read: " + message(e));
                }
                if (size.width() <= 0 || size.height() <= 0) {
                    throw new OcrException(ErrorCode.CORRUPT_MEDIA, format + " declares " + size.width() + "x" + size.height());
                }
                // pixels and bytes per pixel, before the decoder allocates its raster (bombs: huge or deep images)
                String refusal = size.refusal(format, maxPixels, maxDecodedBytes);
                if (refusal != null) {
                    throw new OcrException(ErrorCode.IMAGE_TOO_LARGE, refusal);
                }
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener(warningsInto(warnings));
                java.awt.image.BufferedImage image;
                try {
                    image = reader.read(0);
                } catch (IOException | RuntimeException e) {
                    throw new OcrException(ErrorCode.CORRUPT_MEDIA, format + " data cannot be decoded: " + message(e));
                }
                if (!warnings.isEmpty()) {
                    throw new OcrException(ErrorCode.CORRUPT_MEDIA, format + " is damaged: " + warnings.getFirst());
                }
                return RgbImage.of(image);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new OcrException(ErrorCode.CORRUPT_MEDIA, "the image cannot be read: " + message(e));
        }
    }

    private static IIOReadWarningListener warningsInto(List<String> warnings) {
        return (source, warning) -> warnings.add(warning);
    }

    private static String message(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
