package dev.ovis.serve.vision.preprocess;

/** A crop rectangle in pixel coordinates, PIL's {@code (left, upper, right, lower)} with exclusive right/lower. */
public record CropBox(int left, int upper, int right, int lower) {

    public int width() {
        return right - left;
    }

    public int height() {
        return lower - upper;
    }
}
