package dev.ovis.serve.support.image;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.support.media.MediaFormat;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * The one decoder of untrusted image bytes, shared by vision and OCR: the container is recognised by its
 * magic bytes ({@link MediaFormat}, the sniffer the gateway types uploads with), its declared size is
 * checked against a pixel-count and a decoded-bytes limit ({@link DecodedImageSize}) before a single
 * pixel is decoded, and the result is turned upright as its EXIF orientation says. Every way the bytes can be wrong ends in an
 * {@link InvalidImageException} with a precise message. Thread-safe: readers are created per call.
 *
 * @param maxBytes         refuse encoded files larger than this
 * @param maxPixels        refuse images whose header declares more pixels than this
 * @param maxDecodedBytes  refuse images whose decoded raster (width × height × bits of all bands) would be larger
 * @param rejectAnimated   refuse animated GIF / PNG / WebP (true) or decode their first frame (false)
 * @param applyOrientation turn images as their EXIF orientation says
 * @param fidelity         whose decoding to follow where Pillow and the JDK differ
 */
public record BoundedImageDecoder(long maxBytes, long maxPixels, long maxDecodedBytes, boolean rejectAnimated,
                                  boolean applyOrientation, Fidelity fidelity) {

    /** Whose decoding the result follows where Pillow and the JDK's ImageIO differ. */
    public enum Fidelity {
        /**
         * As Pillow's {@code Image.open}: embedded ICC profiles are ignored, and the decoder goes on past corrupt-data
         * warnings; only a truncated file is refused (vision: its pixels must match the reference preprocessing).
         */
        PILLOW,
        /**
         * As ImageIO: embedded ICC profiles are applied, and any decoder warning refuses the image (OCR: a damaged
         * scan decoded into grey blocks would be read as wrong text without a word).
         */
        STRICT
    }

    static {
        ImageIO.setUseCache(false);
        if (!ImageIO.getImageReadersByFormatName("webp").hasNext()) {
            ImageIO.scanForPlugins();
        }
    }

    public BoundedImageDecoder {
        Objects.requireNonNull(fidelity, "fidelity");
        if (maxBytes < 1 || maxPixels < 1 || maxDecodedBytes < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    /** The format of {@code bytes}, or an {@link InvalidImageException} saying why there is none. */
    public static MediaFormat formatOf(byte[] bytes) throws InvalidImageException {
        if (bytes.length == 0) {
            throw new InvalidImageException(ErrorCode.CORRUPT_MEDIA, "empty file (0 bytes)");
        }
        return MediaFormat.sniff(bytes).filter(MediaFormat::isImage).orElseThrow(() -> new InvalidImageException(
                ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                "not an image: not a JPEG, PNG, GIF, BMP, TIFF or WebP (starts with " + hexPrefix(bytes) + ")"));
    }

    public DecodedImage decode(byte[] bytes) throws InvalidImageException {
        if (bytes.length > maxBytes) {
            throw new InvalidImageException(ErrorCode.IMAGE_TOO_LARGE,
                    "file of " + bytes.length + " bytes exceeds the limit of " + maxBytes);
        }
        MediaFormat format = formatOf(bytes);
        if (ContainerScan.truncated(format, bytes)) {
            throw new InvalidImageException(ErrorCode.CORRUPT_MEDIA, format + " is truncated (the container declares more bytes)");
        }
        ContainerScan scan = ContainerScan.of(format, bytes);
        if (scan.animated() && rejectAnimated) {
            throw new InvalidImageException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "animated " + format + " (more than one frame); send a video or a still image");
        }
        DecodedImage decoded = decodePixels(format, scan, fidelity == Fidelity.PILLOW ? scan.decodable() : bytes);
        int orientation = applyOrientation ? scan.orientation() : 1;
        if (orientation == 1) {
            return decoded;
        }
        if (decoded.image() == null) {
            return new DecodedImage(format, null, ExifOrientation.apply(decoded.adobeCmyk(), orientation));
        }
        BufferedImage image = decoded.image();
        WritableRaster upright = (WritableRaster) ExifOrientation.apply(image.getRaster(), orientation);
        return new DecodedImage(format, new BufferedImage(image.getColorModel(), upright, image.isAlphaPremultiplied(), null), null);
    }

    private DecodedImage decodePixels(MediaFormat format, ContainerScan scan, byte[] decodable) throws InvalidImageException {
        ImageReader reader = reader(format);
        List<String> warnings = new ArrayList<>();
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(decodable))) {
            reader.setInput(in, true, true);
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            DecodedImageSize size = DecodedImageSize.of(reader, 0);
            if (size.width() < 1 || size.height() < 1) {
                throw new InvalidImageException(ErrorCode.CORRUPT_MEDIA, format + " declares an empty size "
                        + size.width() + "x" + size.height());
            }
            // pixels and bytes per pixel, before the decoder allocates its raster (bombs: huge or deep images)
            String refusal = size.refusal(format.toString(), maxPixels, maxDecodedBytes);
            if (refusal != null) {
                throw new InvalidImageException(ErrorCode.IMAGE_TOO_LARGE, refusal);
            }
            DecodedImage decoded;
            if (format == MediaFormat.JPEG && scan.jpegComponents() == 4) {
                // The JDK decodes CMYK/YCCK JPEGs only as a raw raster.
                Raster raster = reader.readRaster(0, null);
                decoded = new DecodedImage(format, null, raster);
            } else {
                decoded = new DecodedImage(format, reader.read(0), null);
            }
            for (String warning : warnings) {
                String w = warning.toLowerCase(Locale.ROOT);
                if (fidelity == Fidelity.STRICT || w.contains("premature end") || w.contains("truncat")) {
                    throw new InvalidImageException(ErrorCode.CORRUPT_MEDIA, format + " is damaged or truncated: " + warning);
                }
            }
            return decoded;
        } catch (IOException | RuntimeException e) {
            throw new InvalidImageException(ErrorCode.CORRUPT_MEDIA, "cannot decode " + format + ": " + describe(e), e);
        } finally {
            reader.dispose();
        }
    }

    /** The JDK's own reader where it has one (its JPEG decoder is libjpeg's), else the first registered. */
    private static ImageReader reader(MediaFormat format) throws InvalidImageException {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.imageIoName());
        ImageReader chosen = null;
        while (readers.hasNext()) {
            ImageReader candidate = readers.next();
            if (chosen == null || candidate.getClass().getName().startsWith("com.sun.imageio.")) {
                chosen = candidate;
            }
        }
        if (chosen == null) {
            throw new InvalidImageException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "no decoder for " + format + " installed");
        }
        return chosen;
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    private static String hexPrefix(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(8, bytes.length); i++) {
            sb.append(String.format("%02x", bytes[i] & 0xFF));
        }
        return "0x" + sb;
    }
}
