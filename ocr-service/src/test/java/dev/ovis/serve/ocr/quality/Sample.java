package dev.ovis.serve.ocr.quality;

import java.awt.Color;
import java.util.List;

/**
 * One rendered test image with its truth.
 *
 * @param id       short name
 * @param language ISO code of the text
 * @param page     how it is rendered
 */
record Sample(String id, String language, SyntheticPage page) {

    private static final String SANS = "Noto Sans";
    private static final String SERIF = "Noto Serif";

    /** The handful the unit tests run (fast). */
    static List<Sample> quick() {
        return List.of(
                new Sample("en-sign", "en", SyntheticPage.of(SANS, 30, "KEEP THIS DOOR CLOSED AT ALL TIMES")),
                new Sample("en-photo", "en", SyntheticPage.of(SERIF, 30, "Total due 12.50 EUR",
                        "Thank you for shopping").photographed(0.05, 1, 6)),
                new Sample("en-upside-down", "en", SyntheticPage.of(SANS, 28, "Upside down label 42").rotated(180)),
                new Sample("zh-two-lines", "zh", SyntheticPage.of("Noto Sans CJK SC", 30, "欢迎使用文字识别服务", "今天天气很好")),
                new Sample("ja-line", "ja", SyntheticPage.of("Noto Sans CJK JP", 32, "東京駅で待っています")),
                new Sample("ru-line", "ru", SyntheticPage.of(SANS, 30, "Привет, мир! Это проверка.")),
                new Sample("de-diacritics", "de", SyntheticPage.of(SERIF, 30, "Größe der Straße: Übung für Bären")));
    }

    /** The full quality set of the benchmark. */
    static List<Sample> full() {
        Color navy = new Color(20, 40, 90);
        Color cream = new Color(245, 235, 210);
        return List.of(
                new Sample("en-sign", "en", SyntheticPage.of(SANS, 30, "KEEP THIS DOOR CLOSED AT ALL TIMES")),
                new Sample("en-doc", "en", SyntheticPage.of(SERIF, 22,
                        "The quick brown fox jumps over the lazy dog.",
                        "Pack my box with five dozen liquor jugs.",
                        "Invoice 2026-0117, due on 15 March 2026.",
                        "Contact: support@example.com, +49 30 1234567",
                        "All amounts are in euros, VAT included.")),
                new Sample("en-small", "en", SyntheticPage.of(SANS, 14, "Small print: terms and conditions apply")),
                new Sample("en-large", "en", SyntheticPage.of(SANS, 64, "EXIT ONLY")),
                new Sample("en-inverse", "en", SyntheticPage.of(SANS, 30, "Platform 9 departures")
                        .colours(navy, Color.WHITE)),
                new Sample("en-cream", "en", SyntheticPage.of(SERIF, 26, "Fresh bread baked daily", "Open 7am to 6pm")
                        .colours(cream, new Color(60, 30, 10))),
                new Sample("en-rotated-3", "en", SyntheticPage.of(SANS, 26, "A slightly rotated page",
                        "still reads line by line").rotated(3)),
                new Sample("en-rotated-8", "en", SyntheticPage.of(SANS, 26, "Tilted by eight degrees").rotated(-8)),
                new Sample("en-upside-down", "en", SyntheticPage.of(SANS, 28, "Upside down label 42").rotated(180)),
                new Sample("en-photo", "en", SyntheticPage.of(SERIF, 30, "Total due 12.50 EUR",
                        "Thank you for shopping").photographed(0.05, 1, 6)),
                new Sample("en-photo-hard", "en", SyntheticPage.of(SANS, 28, "Do not leave bags unattended",
                        "Report anything suspicious").photographed(0.08, 2, 12)),
                new Sample("en-spacing", "en", SyntheticPage.of(SANS, 24, "at all times we read each word as it is",
                        "a b c d e f g h i j")),
                new Sample("zh-two-lines", "zh", SyntheticPage.of("Noto Sans CJK SC", 30, "欢迎使用文字识别服务", "今天天气很好")),
                new Sample("zh-doc", "zh", SyntheticPage.of("Noto Serif CJK SC", 24, "北京是中华人民共和国的首都",
                        "上海是中国最大的城市之一", "请在入口处出示您的车票")),
                new Sample("zh-photo", "zh", SyntheticPage.of("Noto Sans CJK SC", 30, "禁止吸烟", "紧急出口在左边")
                        .photographed(0.06, 1, 8)),
                new Sample("zh-mixed", "zh", SyntheticPage.of("Noto Sans CJK SC", 28, "价格 25 元", "营业时间 9:00-21:00")),
                new Sample("ja-line", "ja", SyntheticPage.of("Noto Sans CJK JP", 32, "東京駅で待っています")),
                new Sample("ja-doc", "ja", SyntheticPage.of("Noto Serif CJK JP", 28, "ご来店ありがとうございます",
                        "またのお越しをお待ちしております")),
                new Sample("ko-line", "ko", SyntheticPage.of("Noto Sans CJK KR", 30, "안녕하세요 반갑습니다", "서울역 출구")),
                new Sample("ru-line", "ru", SyntheticPage.of(SANS, 30, "Привет, мир! Это проверка.")),
                new Sample("ru-doc", "ru", SyntheticPage.of(SERIF, 26, "Москва является столицей России.",
                        "Поезд отправляется в десять часов.")),
                new Sample("de-diacritics", "de", SyntheticPage.of(SERIF, 30, "Größe der Straße: Übung für Bären")),
                new Sample("fr-diacritics", "fr", SyntheticPage.of(SANS, 28, "Où est la gare ? À côté du café.")),
                new Sample("ar-line", "ar", SyntheticPage.of("Noto Sans Arabic", 32, "مرحبا بالعالم")),
                new Sample("hi-line", "hi", SyntheticPage.of("Noto Sans Devanagari", 32, "नमस्ते दुनिया")));
    }
}
