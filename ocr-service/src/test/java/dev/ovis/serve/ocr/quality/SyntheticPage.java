package dev.ovis.serve.ocr.quality;

import dev.ovis.serve.common.ocr.Point;
import dev.ovis.serve.ocr.image.PerspectiveCrop;
import dev.ovis.serve.ocr.image.RgbImage;
import java.awt.Color;
import java.awt.Font;
import java.awt.RenderingHints;
import java.awt.font.FontRenderContext;
import java.awt.image.BufferedImage;
import java.awt.image.ConvolveOp;
import java.awt.image.Kernel;
import java.util.List;
import java.util.Random;

/**
 * Renders test pages with fonts from Debian packages (Noto, Noto CJK): lines of text at a size,
 * on a background, optionally rotated, then "photographed" (perspective, blur, noise).
 *
 * @param lines       the text lines, top to bottom
 * @param fontFamily  an installed family, e.g. {@code Noto Sans CJK JP}
 * @param fontSize    in pixels
 * @param background  page colour
 * @param ink         text colour
 * @param degrees     rotation of the whole page
 * @param perspective how far (fraction of the size) the corners are pulled, 0 = flat
 * @param blur        box-blur radius in pixels, 0 = sharp
 * @param noise       standard deviation of Gaussian pixel noise, 0 = clean
 * @param seed        seed of the noise and perspective
 */
public record SyntheticPage(List<String> lines, String fontFamily, int fontSize, Color background, Color ink,
        double degrees, double perspective, int blur, double noise, long seed) {

    public static SyntheticPage of(String fontFamily, int fontSize, String... lines) {
        return new SyntheticPage(List.of(lines), fontFamily, fontSize, Color.WHITE, Color.BLACK, 0, 0, 0, 0, 1);
    }

    public SyntheticPage rotated(double deg) {
        return new SyntheticPage(lines, fontFamily, fontSize, background, ink, deg, perspective, blur, noise, seed);
    }

    public SyntheticPage photographed(double perspectiveAmount, int blurRadius, double noiseSigma) {
        return new SyntheticPage(lines, fontFamily, fontSize, background, ink, degrees, perspectiveAmount, blurRadius,
                noiseSigma, seed);
    }

    public SyntheticPage colours(Color page, Color text) {
        return new SyntheticPage(lines, fontFamily, fontSize, page, text, degrees, perspective, blur, noise, seed);
    }

    public String text() {
        return String.join("\n", lines);
    }

    /**
     * {@code family} as installed: Java2D silently substitutes a logical font for a missing family,
     * which would turn a missing package into a failed recall figure far from its cause.
     */
    static Font installedFont(String family, int style, int px) {
        Font font = new Font(family, style, px);
        if (!font.getFamily(java.util.Locale.ROOT).equals(family)) {
            throw new IllegalStateException("font family '" + family + "' is not installed (tools/setup-machine.sh"
                    + " installs fonts-noto-core, fonts-noto-cjk and fonts-dejavu-core); got '" + font.getFamily() + "'");
        }
        return font;
    }

    public RgbImage render() {
        Font font = installedFont(fontFamily, Font.PLAIN, fontSize);
        FontRenderContext frc = new FontRenderContext(null, true, true);
        double maxWidth = 0;
        for (String line : lines) {
            maxWidth = Math.max(maxWidth, font.getStringBounds(line, frc).getWidth());
        }
        int lineHeight = (int) Math.ceil(fontSize * 1.6);
        int margin = fontSize * 2;
        int width = (int) Math.ceil(maxWidth) + 2 * margin;
        int height = lineHeight * lines.size() + 2 * margin;
        int side = (int) Math.ceil(Math.hypot(width, height));
        int canvasW = degrees == 0 ? width : side;
        int canvasH = degrees == 0 ? height : side;
        BufferedImage image = new BufferedImage(canvasW, canvasH, BufferedImage.TYPE_INT_RGB);
        var g = image.createGraphics();
        g.setColor(background);
        g.fillRect(0, 0, canvasW, canvasH);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        if (degrees != 0) {
            g.rotate(Math.toRadians(degrees), canvasW / 2.0, canvasH / 2.0);
            g.translate((canvasW - width) / 2.0, (canvasH - height) / 2.0);
        }
        g.setFont(font);
        g.setColor(ink);
        var metrics = g.getFontMetrics();
        for (int i = 0; i < lines.size(); i++) {
            g.drawString(lines.get(i), margin, margin + i * lineHeight + metrics.getAscent());
        }
        g.dispose();
        RgbImage out = RgbImage.of(image);
        Random random = new Random(seed);
        if (perspective > 0) {
            double w = out.width(), h = out.height(), p = perspective;
            out = PerspectiveCrop.crop(out, List.of(new Point(-w * p * random.nextDouble(), -h * p),
                    new Point(w * (1 + p * random.nextDouble()), 0), new Point(w * (1 + p), h * (1 + p * random.nextDouble())),
                    new Point(0, h)), out.width(), out.height());
        }
        if (blur > 0) {
            int k = 2 * blur + 1;
            float[] kernel = new float[k * k];
            java.util.Arrays.fill(kernel, 1f / (k * k));
            BufferedImage src = out.toBufferedImage();
            BufferedImage dst = new ConvolveOp(new Kernel(k, k, kernel), ConvolveOp.EDGE_NO_OP, null).filter(src, null);
            out = RgbImage.of(dst);
        }
        if (noise > 0) {
            int[] px = out.rgb().clone();
            for (int i = 0; i < px.length; i++) {
                int rgb = 0;
                double n = random.nextGaussian() * noise;
                for (int shift = 16; shift >= 0; shift -= 8) {
                    int v = (int) Math.round(((px[i] >> shift) & 0xff) + n);
                    rgb |= Math.min(255, Math.max(0, v)) << shift;
                }
                px[i] = rgb;
            }
            out = new RgbImage(out.width(), out.height(), px);
        }
        return out;
    }
}
