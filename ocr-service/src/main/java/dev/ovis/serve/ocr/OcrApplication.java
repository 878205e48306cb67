package dev.ovis.serve.ocr;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The ocr-service: consumes {@code ovis.ocr.requests.v1} in group {@code ovis-ocr}. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class OcrApplication {

    public static void main(String[] args) {
        SpringApplication.run(OcrApplication.class, args);
    }
}
