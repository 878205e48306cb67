package dev.ovis.serve.vision;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The vision-service: consumes {@code ovis.vision.requests.v1} in group {@code ovis-vision}. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class VisionApplication {

    public static void main(String[] args) {
        SpringApplication.run(VisionApplication.class, args);
    }
}
