package dev.ovis.serve.ocr.tesseract;

import java.util.Locale;
import java.util.Map;

/**
 * ISO 639-1 codes to Tesseract's traineddata names, the Debian package that installs each, and
 * the languages an OSD script name stands for.
 */
public final class TesseractLanguages {

    private static final Map<String, String> ISO_TO_TESSERACT = Map.ofEntries(
            Map.entry("en", "eng"), Map.entry("de", "deu"), Map.entry("fr", "fra"), Map.entry("es", "spa"),
            Map.entry("it", "ita"), Map.entry("pt", "por"), Map.entry("nl", "nld"), Map.entry("pl", "pol"),
            Map.entry("cs", "ces"), Map.entry("sk", "slk"), Map.entry("sv", "swe"), Map.entry("da", "dan"),
            Map.entry("fi", "fin"), Map.entry("no", "nor"), Map.entry("tr", "tur"), Map.entry("vi", "vie"),
            Map.entry("ro", "ron"), Map.entry("hu", "hun"), Map.entry("hr", "hrv"), Map.entry("ru", "rus"),
            Map.entry("uk", "ukr"), Map.entry("bg", "bul"), Map.entry("sr", "srp"), Map.entry("el", "ell"),
            Map.entry("ar", "ara"), Map.entry("fa", "fas"), Map.entry("ur", "urd"), Map.entry("he", "heb"),
            Map.entry("hi", "hin"), Map.entry("mr", "mar"), Map.entry("ne", "nep"), Map.entry("bn", "ben"),
            Map.entry("ta", "tam"), Map.entry("te", "tel"), Map.entry("th", "tha"), Map.entry("ja", "jpn"),
            Map.entry("ko", "kor"), Map.entry("zh", "chi_sim"), Map.entry("zh-hant", "chi_tra"),
            Map.entry("id", "ind"), Map.entry("ms", "msa"), Map.entry("sw", "swa"));

    private static final Map<String, String> SCRIPT_TO_ISO = Map.ofEntries(
            Map.entry("Latin", "en"), Map.entry("Han", "zh"), Map.entry("Japanese", "ja"), Map.entry("Katakana", "ja"),
            Map.entry("Hiragana", "ja"), Map.entry("Hangul", "ko"), Map.entry("Korean", "ko"),
            Map.entry("Cyrillic", "ru"), Map.entry("Arabic", "ar"), Map.entry("Devanagari", "hi"),
            Map.entry("Greek", "el"), Map.entry("Hebrew", "he"), Map.entry("Thai", "th"), Map.entry("Bengali", "bn"),
            Map.entry("Tamil", "ta"), Map.entry("Telugu", "te"));

    private TesseractLanguages() {
    }

    /** Tesseract's name for an ISO code; unknown codes pass through (users may name traineddata directly). */
    public static String tesseractCode(String iso) {
        String key = iso.toLowerCase(Locale.ROOT);
        return ISO_TO_TESSERACT.getOrDefault(key, key);
    }

    /** The ISO code for a Tesseract name, or the name itself. */
    public static String isoCode(String tesseract) {
        return ISO_TO_TESSERACT.entrySet().stream().filter(e -> e.getValue().equals(tesseract)).map(Map.Entry::getKey)
                .findFirst().orElse(tesseract);
    }

    /** The Debian package that installs a traineddata file, e.g. {@code tesseract-ocr-chi-sim}. */
    public static String debianPackage(String tesseractCode) {
        return "tesseract-ocr-" + tesseractCode.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The language an OSD script name most likely stands for, or {@code null}. */
    public static String forScript(String script) {
        return SCRIPT_TO_ISO.get(script);
    }
}
