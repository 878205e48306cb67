package dev.ovis.serve.vision.image;

import dev.ovis.serve.common.error.ErrorCode;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import dev.ovis.serve.support.image.DecodedImageSize;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes JPEG, PNG, GIF, BMP, TIFF and WebP bytes into the RGB raster Pillow's
 * {@code Image.open(...).convert('RGB')} gives (ovis2.md §13), then applies the EXIF orientation.
 * The container is recognised by its magic bytes and its declared size is checked against
 * {@link ImageProperties#maxPixels()} before a single pixel is decoded. Every way the bytes can be
 * wrong ends in an {@link InvalidImageException} with a precise message. Thread-safe: readers are
 * created per call.
 */
public final class ImageDecoder {

    private final ImageProperties properties;

    public ImageDecoder(ImageProperties properties) {
        this.properties = properties;
        ImageIO.setUseCache(false);
        if (!ImageIO.getImageReadersByFormatName("webp").hasNext()) {
            ImageIO.scanForPlugins();
        }
    }

    /** The format of {@code bytes}, or an {@link InvalidImageException} saying why there is none. */
    public static ImageFormat formatOf(byte[] bytes) throws InvalidImageException {
        if (bytes.length == 0) {
            throw new InvalidImageException(ErrorCode.CORRUPT_MEDIA, "empty file (0 bytes)");
        }
        return ImageFormat.sniff(bytes).orElseThrow(() -> new InvalidImageException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                "not a JPEG, PNG, GIF, BMP, TIFF or WebP image (starts with " + hexPrefix(bytes) + ")"));
    }

    public RgbImage decode(byte[] bytes) throws InvalidImageException {
        if (bytes.length > properties.maxBytes()) {
            throw new InvalidImageException(ErrorCode.IMAGE_TOO_LARGE,
                    "file of " + bytes.length + " bytes exceeds the limit of " + properties.maxBytes());
        }
        ImageFormat format = formatOf(bytes);
        if (ContainerScan.truncated(format, bytes)) {
            throw new InvalidImageException(ErrorCode.CORRUPT_MEDIA, format + " is truncated (the container declares more bytes)");
        }
        ContainerScan scan = ContainerScan.of(format, bytes);
        if (scan.animated() && properties.rejectAnimated()) {
            throw new InvalidImageException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "animated " + format + " (more than one frame); send a video or a still image");
        }
        RgbImage rgb = decodePixels(format, scan);
        return properties.applyOrientation() ? ExifOrientation.apply(rgb, scan.orientation()) : rgb;
    }

    private RgbImage decodePixels(ImageFormat format, ContainerScan scan) throws InvalidImageException {
        ImageReader reader = reader(format);
        List<String> warnings = new ArrayList<>();
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(scan.decodable()))) {
            reader.setInput(in, true, true);
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            DecodedImageSize size = DecodedImageSize.of(reader, 0);
            if (size.width() < 1 || size.height() < 1) {
                throw new InvalidImageException(ErrorCode.CORRUPT_MEDIA, format + " declares an empty size "
                        + size.width() + "x" + size.height());
            }
            // pixels and bytes per pixel, before the decoder allocates its raster (bombs: huge or deep images)
            String refusal = size.refusal(format.toString(), properties.maxPixels(), properties.maxDecodedBytes());
            if (refusal != null) {
                throw new InvalidImageException(ErrorCode.IMAGE_TOO_LARGE, refusal);
            }
            RgbImage rgb;
            if (format == ImageFormat.JPEG && scan.jpegComponents() == 4) {
                // The JDK decodes CMYK/YCCK JPEGs only as a raw raster; Pillow reads them as Adobe-inverted CMYK.
                Raster raster = reader.readRaster(0, null);
                rgb = PillowRgbConversion.cmyk(raster, true);
            } else {
                BufferedImage image = reader.read(0);
                rgb = PillowRgbConversion.convert(image);
            }
            for (String warning : warnings) {
                String w = warning.toLowerCase(Locale.ROOT);
                if (w.contains("premature end") || w.contains("truncat")) {
                    throw new InvalidImageException(ErrorCode.CORRUPT_MEDIA, format + " is truncated: " + warning);
                }
            }
            return rgb;
        } catch (IOException | RuntimeException e) {
            throw new InvalidImageException(ErrorCode.CORRUPT_MEDIA, "cannot decode " + format + ": " + describe(e), e);
        } finally {
            reader.dispose();
        }
    }

    /** The JDK's own reader where it has one (its JPEG decoder is libjpeg's), else the first registered. */
    private static ImageReader reader(ImageFormat format) throws InvalidImageException {
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
