package dev.ovis.serve.ocr.quality;

import dev.ovis.serve.common.ocr.Point;
import dev.ovis.serve.ocr.image.PerspectiveCrop;
import dev.ovis.serve.ocr.image.RgbImage;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.ConvolveOp;
import java.awt.image.Kernel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;

/**
 * Images closer to what users send than {@link Sample}'s one-line renders (issue 15): dense
 * "scanned book pages" (serif prose at book sizes and resolutions, tight leading, upright and
 * tilted by a few degrees with white fill, some with blur, noise and JPEG) and "photographed
 * signs" (large phrases with normal word spacing on a plate in a larger photo: perspective,
 * uneven lighting, blur, noise, JPEG). Everything is generated from fonts Debian ships.
 */
final class RealisticSet {

    /** One image: encoded bytes (PNG or JPEG) and the text it shows. */
    record Image(String id, String kind, double degrees, String truth, byte[] bytes, String format) {
    }

    static final String PROSE = """
            The old library stood at the end of a narrow street, and most people in the town walked past \
            it without a second look. Its windows were tall and dusty, its doors heavy, and the brass \
            handles had been polished by a century of hands. Inside, the air smelled of paper, glue and \
            floor wax, and the clocks on the walls never agreed about the time.
            Margaret had worked there for nearly thirty years. She knew which shelves creaked, which \
            lamps flickered in winter, and which of the regular visitors would ask for the same book \
            every week as though they had never read it before. She did not mind. A story that is \
            worth reading once, she liked to say, is usually worth reading again, and the second time \
            you notice all the things you missed.
            The building was complex to heat and expensive to repair, and every spring the council \
            discussed whether it should be closed. Every spring the vote was postponed. Children came \
            after school to do their homework at the long oak tables, students used it for working in \
            silence, and in the evenings a small group of retired engineers met in the reading room to \
            argue about bridges, trains and the weather.
            On the last Friday of the month there was a concert in the main hall. Someone would carry \
            an upright piano out of the storeroom, chairs were arranged in crooked rows, and for two \
            hours the town forgot about its troubles and listened.""";

    private RealisticSet() {
    }

    /** The evaluation set of issue 15: book pages upright and tilted, and photographed signs. */
    static List<Image> all() {
        List<Image> out = new ArrayList<>();
        // ~12 pt Noto Serif at 150 dpi (25 px), leading 1.2; A4 width
        BufferedImage page150 = bookPage("Noto Serif", 25, 1.2, 1240, 110);
        for (double deg : new double[] {0, 2, 3.5, -3}) {
            out.add(encode("book150" + suffix(deg), "book", deg, truth(page150), rotate(page150, deg), "png", 0));
        }
        out.add(book200(0));
        out.add(book200(3.5));
        out.add(photoPage(0));
        out.add(photoPage(-2.5));
        out.add(signDoor());
        out.add(sign("sign-staff", new String[] {"Staff Only Beyond This Point", "Please use the main entrance"},
                new Color(20, 20, 20), new Color(235, 235, 225), 64, 1600, 1200, 0.08, 1, 7, 0.6f, 12));
        out.add(sign("sign-parking", new String[] {"NO PARKING", "Vehicles will be towed at", "the owner's expense"},
                Color.WHITE, new Color(20, 60, 140), 72, 2400, 1800, 0.05, 2, 9, 0.6f, 13));
        out.add(sign("sign-floor", new String[] {"CAUTION", "Wet floor, walk slowly"}, Color.BLACK,
                new Color(245, 200, 20), 90, 1600, 1200, 0.07, 1, 10, 0.5f, 14));
        out.add(sign("sign-seated", new String[] {"PLEASE WAIT HERE TO BE SEATED", "Open daily from 8 am to 10 pm"},
                new Color(30, 30, 30), Color.WHITE, 56, 1600, 1200, 0.04, 1, 6, 0.65f, 15));
        return out;
    }

    /** Other prose for {@link #heldOut()}. */
    static final String PROSE_2 = """
            When the river froze in January, the ferry stopped running and the village on the far bank \
            was reached only by the long road through the hills. The post arrived late, the bakery ran \
            short of flour, and the schoolteacher held her lessons in the kitchen of the inn.
            Nobody complained very much. Winter had always been like this, and the older residents \
            remembered seasons that were far worse, when the snow lay so deep that the church door \
            could not be opened and the bells were rung from a ladder outside the tower.
            By March the ice began to crack with a sound like distant thunder, and the children ran \
            down to the bank every morning to see how far the open water had spread.""";

    /**
     * Images not used to choose the settings (other text, fonts, angles, phrases and seeds), to
     * check that the choice was not fitted to {@link #all()}.
     */
    static List<Image> heldOut() {
        List<Image> out = new ArrayList<>();
        BufferedImage sans = bookPage("Noto Sans", 24, 1.25, 1240, 100, PROSE_2);
        for (double deg : new double[] {0, 1.5, -2}) {
            out.add(encode("sans150" + suffix(deg), "book", deg, truth(sans), degrade(rotate(sans, deg), 0, 3, 31), "png", 0));
        }
        BufferedImage serif = bookPage("Noto Serif", 32, 1.15, 1654, 140, PROSE_2);
        for (double deg : new double[] {0, -2.5}) {
            out.add(encode("serif200jpg" + suffix(deg), "book", deg, truth(serif), degrade(rotate(serif, deg), 1, 6, 32),
                    "jpg", 0.75f));
        }
        out.add(sign("sign-exit", new String[] {"EMERGENCY EXIT", "DO NOT BLOCK"}, Color.WHITE, new Color(20, 130, 60),
                84, 1600, 1200, 0.07, 1, 9, 0.6f, 41));
        out.add(sign("sign-hours", new String[] {"Opening Hours", "Monday to Friday 9 to 5", "Closed on Sundays"},
                new Color(10, 10, 10), new Color(240, 240, 240), 60, 1600, 1200, 0.05, 2, 8, 0.6f, 42));
        out.add(sign("sign-hat", new String[] {"HARD HAT AREA", "AUTHORISED PERSONNEL ONLY"}, Color.BLACK,
                new Color(250, 210, 0), 72, 2000, 1500, 0.06, 1, 10, 0.55f, 43));
        return out;
    }

    /** ~11 pt DejaVu Serif at 200 dpi (30 px), leading 1.15, A4 width, mild blur + noise, JPEG quality 0.8. */
    static Image book200(double degrees) {
        return book200(degrees, PROSE);
    }

    /** {@link #book200(double)} with other paragraphs (one per line). */
    static Image book200(double degrees, String prose) {
        BufferedImage page = bookPage("DejaVu Serif", 30, 1.15, 1654, 150, prose);
        BufferedImage img = degrade(rotate(page, degrees), 1, 5, 7);
        return encode("book200jpg" + suffix(degrees), "book", degrees, truth(page), img, "jpg", 0.8f);
    }

    /**
     * A phone photo of a book page: the 150 dpi page (10 pt Noto Serif, 21 px) scaled 1.8x into a
     * 3000x2250 frame on a dark table, turned, perspective, uneven lighting, blur, noise, JPEG 0.7.
     */
    static Image photoPage(double degrees) {
        BufferedImage page = bookPage("Noto Serif", 21, 1.2, 1240, 110);
        BufferedImage photo = new BufferedImage(3000, 2250, BufferedImage.TYPE_INT_RGB);
        var g = photo.createGraphics();
        g.setColor(new Color(50, 45, 40));
        g.fillRect(0, 0, 3000, 2250);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        BufferedImage turned = rotate(page, degrees);
        int w = (int) (turned.getWidth() * 1.8), h = (int) (turned.getHeight() * 1.8);
        g.drawImage(turned, (3000 - w) / 2, (2250 - h) / 2, w, h, null);
        g.dispose();
        Random random = new Random(21);
        RgbImage img = RgbImage.of(photo);
        double p = 0.03;
        img = PerspectiveCrop.crop(img, List.of(new Point(-3000 * p * random.nextDouble(), 0),
                new Point(3000 * (1 + p * random.nextDouble()), -2250 * p * random.nextDouble()),
                new Point(3000, 2250 * (1 + p * random.nextDouble())), new Point(0, 2250)), 3000, 2250);
        BufferedImage lit = img.toBufferedImage();
        for (int y = 0; y < 2250; y++) {
            for (int x = 0; x < 3000; x++) {
                double f = 1.05 - 0.35 * (x + y) / 5250.0;
                int c = lit.getRGB(x, y);
                lit.setRGB(x, y, ((int) (((c >> 16) & 0xff) * f) << 16) | ((int) (((c >> 8) & 0xff) * f) << 8)
                        | (int) ((c & 0xff) * f));
            }
        }
        return encode("photo-page" + suffix(degrees), "book", degrees, truth(page), degrade(lit, 1, 6, 22), "jpg", 0.7f);
    }

    /** White bold capitals on a red plate in a 1600x1200 photo: perspective, lighting, blur, noise, JPEG 0.55. */
    static Image signDoor() {
        return sign("sign-door", new String[] {"KEEP THIS DOOR", "CLOSED AT ALL TIMES"}, Color.WHITE,
                new Color(180, 20, 20), 96, 1600, 1200, 0.06, 1, 8, 0.55f, 11);
    }

    private static String suffix(double deg) {
        return deg == 0 ? "-upright" : String.format(java.util.Locale.ROOT, "-rot%+.1f", deg);
    }

    private static String truth(BufferedImage page) {
        return (String) page.getProperty("truth");
    }

    /** Left-aligned paragraphs (first line indented, no blank line between them), word-wrapped to the text width. */
    static BufferedImage bookPage(String family, int px, double leading, int width, int margin) {
        return bookPage(family, px, leading, width, margin, PROSE);
    }

    static BufferedImage bookPage(String family, int px, double leading, int width, int margin, String prose) {
        Font font = SyntheticPage.installedFont(family, Font.PLAIN, px);
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        var pg = probe.createGraphics();
        pg.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        FontMetrics fm = pg.getFontMetrics(font);
        int textWidth = width - 2 * margin;
        List<String> lines = new ArrayList<>();
        List<Integer> indents = new ArrayList<>();
        for (String paragraph : prose.split("\n")) {
            StringBuilder line = new StringBuilder();
            int indent = 2 * px;
            for (String word : paragraph.split(" ")) {
                String candidate = line.isEmpty() ? word : line + " " + word;
                if (fm.stringWidth(candidate) + indent > textWidth && !line.isEmpty()) {
                    lines.add(line.toString());
                    indents.add(indent);
                    indent = 0;
                    line = new StringBuilder(word);
                } else {
                    line = new StringBuilder(candidate);
                }
            }
            lines.add(line.toString());
            indents.add(indent);
        }
        pg.dispose();
        int lineHeight = (int) Math.round(px * leading);
        int height = 2 * margin + lineHeight * lines.size();
        java.util.Hashtable<String, Object> props = new java.util.Hashtable<>();
        props.put("truth", String.join("\n", lines));
        BufferedImage rgb = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        BufferedImage page = new BufferedImage(rgb.getColorModel(), rgb.getRaster(), false, props);
        var g = page.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        g.setFont(font);
        g.setColor(new Color(25, 25, 25));
        int ascent = g.getFontMetrics().getAscent();
        for (int i = 0; i < lines.size(); i++) {
            g.drawString(lines.get(i), margin + indents.get(i), margin + i * lineHeight + ascent);
        }
        g.dispose();
        return page;
    }

    /** The page turned by {@code degrees} about its centre on a canvas that holds it all, white fill, bicubic. */
    static BufferedImage rotate(BufferedImage page, double degrees) {
        if (degrees == 0) {
            return page;
        }
        double r = Math.toRadians(degrees);
        int w = page.getWidth(), h = page.getHeight();
        int cw = (int) Math.ceil(Math.abs(w * Math.cos(r)) + Math.abs(h * Math.sin(r)));
        int ch = (int) Math.ceil(Math.abs(w * Math.sin(r)) + Math.abs(h * Math.cos(r)));
        BufferedImage out = new BufferedImage(cw, ch, BufferedImage.TYPE_INT_RGB);
        var g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, cw, ch);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.translate(cw / 2.0, ch / 2.0);
        g.rotate(r);
        g.translate(-w / 2.0, -h / 2.0);
        g.drawImage(page, 0, 0, null);
        g.dispose();
        return out;
    }

    /**
     * A sign: the phrase centred on a coloured plate, the plate on a brownish-grey textured
     * "wall" filling a photo, then perspective, uneven lighting, blur, noise and JPEG.
     */
    static Image sign(String id, String[] lines, Color ink, Color plate, int px, int photoW, int photoH,
            double perspective, int blur, double noise, float jpegQuality, long seed) {
        Random random = new Random(seed);
        Font font = SyntheticPage.installedFont("Noto Sans", Font.BOLD, px);
        BufferedImage photo = new BufferedImage(photoW, photoH, BufferedImage.TYPE_INT_RGB);
        var g = photo.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setPaint(new java.awt.GradientPaint(0, 0, new Color(120, 110, 100), photoW, photoH, new Color(70, 65, 60)));
        g.fillRect(0, 0, photoW, photoH);
        for (int i = 0; i < 400; i++) { // wall texture: faint blotches
            int v = 60 + random.nextInt(70);
            g.setColor(new Color(v, v - 5, v - 10, 40));
            int s = 10 + random.nextInt(60);
            g.fillOval(random.nextInt(photoW), random.nextInt(photoH), s, s);
        }
        g.setFont(font);
        FontMetrics fm = g.getFontMetrics();
        int textW = 0;
        for (String l : lines) {
            textW = Math.max(textW, fm.stringWidth(l));
        }
        int lineHeight = (int) Math.round(px * 1.35);
        int plateW = textW + 2 * px, plateH = lineHeight * lines.length + px;
        int x0 = (photoW - plateW) / 2, y0 = (photoH - plateH) / 2;
        g.setColor(plate);
        g.fillRoundRect(x0, y0, plateW, plateH, px / 2, px / 2);
        g.setColor(ink);
        for (int i = 0; i < lines.length; i++) {
            int lw = fm.stringWidth(lines[i]);
            g.drawString(lines[i], x0 + (plateW - lw) / 2, y0 + px / 2 + i * lineHeight + fm.getAscent());
        }
        g.dispose();
        RgbImage img = RgbImage.of(photo);
        double w = img.width(), h = img.height(), p = perspective;
        img = PerspectiveCrop.crop(img, List.of(new Point(-w * p * random.nextDouble(), -h * p * random.nextDouble()),
                new Point(w * (1 + p * random.nextDouble()), h * p * random.nextDouble()),
                new Point(w * (1 + p), h * (1 + p * random.nextDouble())), new Point(-w * p * random.nextDouble(), h)),
                img.width(), img.height());
        BufferedImage lit = img.toBufferedImage();
        // uneven lighting: a bright spot at a random place, falling off to 60 %
        double cx = photoW * random.nextDouble(), cy = photoH * random.nextDouble();
        double radius = Math.hypot(photoW, photoH);
        for (int y = 0; y < photoH; y++) {
            for (int x = 0; x < photoW; x++) {
                double f = 1.1 - 0.5 * Math.hypot(x - cx, y - cy) / radius;
                int c = lit.getRGB(x, y);
                int rr = (int) Math.min(255, ((c >> 16) & 0xff) * f);
                int gg = (int) Math.min(255, ((c >> 8) & 0xff) * f);
                int bb = (int) Math.min(255, (c & 0xff) * f);
                lit.setRGB(x, y, (rr << 16) | (gg << 8) | bb);
            }
        }
        BufferedImage degraded = degrade(lit, blur, noise, seed);
        return encode(id, "sign", 0, String.join("\n", lines), degraded, "jpg", jpegQuality);
    }

    /** Box blur of {@code blur} px radius, Gaussian noise of sigma {@code noise}. */
    static BufferedImage degrade(BufferedImage src, int blur, double noise, long seed) {
        BufferedImage out = src;
        if (blur > 0) {
            int k = 2 * blur + 1;
            float[] kernel = new float[k * k];
            java.util.Arrays.fill(kernel, 1f / (k * k));
            BufferedImage copy = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
            copy.getGraphics().drawImage(src, 0, 0, null);
            out = new ConvolveOp(new Kernel(k, k, kernel), ConvolveOp.EDGE_NO_OP, null).filter(copy, null);
        }
        if (noise > 0) {
            Random random = new Random(seed);
            BufferedImage n = new BufferedImage(out.getWidth(), out.getHeight(), BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < out.getHeight(); y++) {
                for (int x = 0; x < out.getWidth(); x++) {
                    int c = out.getRGB(x, y);
                    double d = random.nextGaussian() * noise;
                    int rgb = 0;
                    for (int shift = 16; shift >= 0; shift -= 8) {
                        int v = (int) Math.round(((c >> shift) & 0xff) + d);
                        rgb |= Math.min(255, Math.max(0, v)) << shift;
                    }
                    n.setRGB(x, y, rgb);
                }
            }
            out = n;
        }
        return out;
    }

    private static Image encode(String id, String kind, double degrees, String truth, BufferedImage image, String format,
            float quality) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            BufferedImage rgb = image;
            if (image.getType() != BufferedImage.TYPE_INT_RGB) {
                rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
                rgb.getGraphics().drawImage(image, 0, 0, null);
            }
            if (format.equals("jpg")) {
                ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
                ImageWriteParam param = writer.getDefaultWriteParam();
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(quality);
                try (var out = ImageIO.createImageOutputStream(bytes)) {
                    writer.setOutput(out);
                    writer.write(null, new IIOImage(rgb, null, null), param);
                }
                writer.dispose();
            } else {
                ImageIO.write(rgb, "png", bytes);
            }
            return new Image(id, kind, degrees, truth, bytes.toByteArray(), format);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Output words that are two to four consecutive truth words run together ("ALLTIMES"). */
    static List<String> merged(String truth, String output) {
        String[] t = Scoring.normalise(truth, "en").split(" ");
        java.util.Set<String> joins = new java.util.HashSet<>();
        for (int i = 0; i < t.length; i++) {
            StringBuilder s = new StringBuilder(t[i]);
            for (int j = i + 1; j < Math.min(t.length, i + 4); j++) {
                s.append(t[j]);
                joins.add(s.toString());
            }
        }
        List<String> out = new ArrayList<>();
        for (String w : Scoring.normalise(output, "en").split(" ")) {
            if (joins.contains(w)) {
                out.add(w);
            }
        }
        return out;
    }
}
