package dev.ovis.serve.ocr.tesseract;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.ocr.OcrLine;
import dev.ovis.serve.ocr.image.RgbImage;
import dev.ovis.serve.ocr.page.OcrException;
import dev.ovis.serve.ocr.page.PageReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;

/**
 * Tesseract as a subprocess of the {@code tesseract} program: a crash or a runaway page cannot
 * take the JVM down (it is killed after {@code timeout}), and no JNA/Leptonica version has to
 * match. The image goes in as PNG on stdin, TSV comes back on stdout. {@code OMP_THREAD_LIMIT=1}
 * because Tesseract's OpenMP threads make it several times slower on small machines.
 */
public final class TesseractReader implements PageReader {

    private static final Pattern SCRIPT = Pattern.compile("Script: (\\w+)");
    private static final Set<String> NO_SPACES = Set.of("jpn", "chi_sim", "chi_tra", "tha");

    private final String command;
    private final Duration timeout;
    private final int pageSegmentationMode;
    private volatile Set<String> installed;

    public TesseractReader(String command, Duration timeout, int pageSegmentationMode) {
        this.command = command;
        this.timeout = timeout;
        this.pageSegmentationMode = pageSegmentationMode;
    }

    @Override
    public String name() {
        return "tesseract";
    }

    @Override
    public boolean supports(List<String> languages) {
        try {
            Set<String> have = installedLanguages();
            return languages.stream().map(TesseractLanguages::tesseractCode).allMatch(have::contains);
        } catch (OcrException e) {
            return false;
        }
    }

    /** Traineddata names Tesseract finds (read once). */
    public Set<String> installedLanguages() throws OcrException {
        Set<String> have = installed;
        if (have == null) {
            String out = new String(run(List.of(command, "--list-langs"), null), StandardCharsets.UTF_8);
            have = out.lines().skip(1).map(String::strip).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
            installed = have;
        }
        return have;
    }

    @Override
    public List<OcrLine> read(RgbImage image, List<String> languages) throws OcrException {
        List<String> isoCodes = languages.isEmpty() ? List.of("en") : languages;
        Set<String> codes = new LinkedHashSet<>();
        for (String iso : isoCodes) {
            codes.add(TesseractLanguages.tesseractCode(iso));
        }
        Set<String> have = installedLanguages();
        for (String code : codes) {
            if (!have.contains(code)) {
                throw new OcrException(ErrorCode.LANGUAGE_UNAVAILABLE, "Tesseract has no language pack for '" + code
                        + "': install the Debian package " + TesseractLanguages.debianPackage(code));
            }
        }
        byte[] png = png(image);
        boolean noSpaces = NO_SPACES.contains(codes.iterator().next());
        List<TsvParser.TsvLine> found = tsv(png, codes, pageSegmentationMode, noSpaces);
        if (found.isEmpty() && pageSegmentationMode != 6) {
            // automatic layout analysis sometimes finds no text block on a short snippet ("Empty page!!");
            // reading the page as one uniform block then does
            found = tsv(png, codes, 6, noSpaces);
        }
        List<OcrLine> lines = new ArrayList<>();
        for (TsvParser.TsvLine line : found) {
            lines.add(new OcrLine(line.text(), line.confidence(), line.box(), name(), languageOf(line.text(), isoCodes)));
        }
        return lines;
    }

    private List<TsvParser.TsvLine> tsv(byte[] png, Set<String> codes, int psm, boolean noSpaces) throws OcrException {
        byte[] out = run(List.of(command, "stdin", "stdout", "-l", String.join("+", codes), "--psm", Integer.toString(psm),
                "tsv"), png);
        return TsvParser.parse(new String(out, StandardCharsets.UTF_8), noSpaces);
    }

    /**
     * The script Tesseract's orientation and script detection sees, or {@code null} when it cannot
     * tell. OSD refuses pages with few characters, so a short snippet is tried again stacked four
     * times (more glyphs of the same script).
     */
    public String detectScript(RgbImage image) throws OcrException {
        if (!installedLanguages().contains("osd")) {
            return null;
        }
        String script = osd(image);
        return script != null ? script : osd(stacked(image, 4));
    }

    private String osd(RgbImage image) throws OcrException {
        try {
            String out = new String(run(List.of(command, "stdin", "stdout", "--psm", "0"), png(image)),
                    StandardCharsets.UTF_8);
            Matcher m = SCRIPT.matcher(out);
            return m.find() ? m.group(1) : null;
        } catch (OcrException e) {
            if (e.code() == ErrorCode.TIMEOUT) {
                throw e;
            }
            return null; // "Too few characters": OSD cannot tell
        }
    }

    private static RgbImage stacked(RgbImage image, int times) {
        int[] out = new int[image.rgb().length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(image.rgb(), 0, out, i * image.rgb().length, image.rgb().length);
        }
        return new RgbImage(image.width(), image.height() * times, out);
    }

    /** The requested language whose script the line is written in (the first one when unsure). */
    private static String languageOf(String text, List<String> isoCodes) {
        if (isoCodes.size() == 1) {
            return isoCodes.getFirst();
        }
        boolean latinOnly = text.codePoints().filter(Character::isLetter)
                .allMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.LATIN);
        if (latinOnly) {
            return isoCodes.stream().filter(l -> l.equals("en")).findFirst().orElse(isoCodes.getFirst());
        }
        return isoCodes.stream().filter(l -> !l.equals("en")).findFirst().orElse(isoCodes.getFirst());
    }

    private static byte[] png(RgbImage image) throws OcrException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image.toBufferedImage(), "png", out);
        } catch (IOException e) {
            throw new OcrException(ErrorCode.INTERNAL, "cannot encode the page for Tesseract: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    private byte[] run(List<String> args, byte[] stdin) throws OcrException {
        ProcessBuilder builder = new ProcessBuilder(args);
        builder.environment().put("OMP_THREAD_LIMIT", "1");
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new OcrException(ErrorCode.LANGUAGE_UNAVAILABLE,
                    "Tesseract is not installed (" + command + "): install the Debian package tesseract-ocr", e);
        }
        try {
            CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
            try (OutputStream in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin);
                }
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new OcrException(ErrorCode.TIMEOUT, "Tesseract ran past " + timeout);
            }
            byte[] out = output.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (process.exitValue() != 0) {
                throw new OcrException(ErrorCode.INTERNAL, "Tesseract exited with " + process.exitValue());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new OcrException(ErrorCode.CANCELLED, "interrupted while Tesseract ran");
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            process.destroyForcibly();
            throw new OcrException(ErrorCode.INTERNAL, "Tesseract I/O failed: " + e.getMessage(), e);
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
