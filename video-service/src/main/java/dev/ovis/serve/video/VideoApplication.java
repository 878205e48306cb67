package dev.ovis.serve.video;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The video-service: consumes {@code ovis.video.requests.v1} in group {@code ovis-video}. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class VideoApplication {

    public static void main(String[] args) {
        SpringApplication.run(VideoApplication.class, args);
    }
}
