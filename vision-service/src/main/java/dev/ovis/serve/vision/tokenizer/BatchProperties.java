package dev.ovis.serve.vision.tokenizer;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How crops from concurrent requests are batched into one vision-model run.
 *
 * @param maxCrops       crops per model run (one image at max_partition 9 has 10)
 * @param maxWait        how long a batch waits for crops of other requests; never waited when no
 *                       other request is in flight
 * @param workers        threads running the model; see {@link BatchingVisualTokenizer} for why 1
 * @param intraOpThreads ONNX Runtime threads per run; 0 = one per core
 * @param queueSlices    batches-worth of crops that may wait; callers block beyond that (back-pressure)
 */
@Validated
@ConfigurationProperties("ovis.vision.batch")
public record BatchProperties(@DefaultValue("16") @Min(1) @Max(256) int maxCrops,
                             @DefaultValue("5ms") Duration maxWait,
                             @DefaultValue("1") @Min(1) @Max(16) int workers,
                             @DefaultValue("0") @Min(0) int intraOpThreads,
                             @DefaultValue("64") @Min(1) int queueSlices) {

    public static BatchProperties defaults() {
        return new BatchProperties(16, Duration.ofMillis(5), 1, 0, 64);
    }
}
