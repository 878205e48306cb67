package dev.ovis.serve.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

import ai.onnxruntime.OrtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, before ONNX Runtime loads a graph on the CPU, that the machine has the memory for its
 * weights. A 1B fp32 model is ~5 GB resident, a 2B ~9 GB: without the check a machine too small
 * for the model either has the process OOM-killed half-way through loading — with nothing in the
 * log to say why — or swaps to a halt. The weights' size on disk is a lower bound of what the
 * session needs; ORT adds its arena and, while loading, some copies on top.
 */
final class MemoryCheck {

    private static final Logger log = LoggerFactory.getLogger(MemoryCheck.class);
    private static final Path MEMINFO = Path.of("/proc/meminfo");
    /** Above weights × this, loading is expected to fit; between 1× and this it may not: warn. */
    private static final double HEADROOM = 1.5;

    private MemoryCheck() {
    }

    /** Checks {@code graph} against the memory available now (Linux); elsewhere does nothing. */
    static void beforeLoading(Path graph) throws OrtException {
        OptionalLong available = available();
        if (available.isPresent()) {
            check(graph, available.getAsLong());
        }
    }

    /**
     * @throws OrtException naming the graph, its weights' size and the memory available, when the
     *                      weights alone do not fit
     */
    static void check(Path graph, long availableBytes) throws OrtException {
        long weights = weightBytes(graph);
        if (weights > availableBytes) {
            throw new OrtException(String.format(Locale.ROOT, "cannot load %s: its weights take %s but only %s of memory"
                    + " is available on this machine (MemAvailable); free memory, use a machine with more, or a smaller"
                    + " precision of the model (tools/exporter/ovis2_export.py --from-fp32 DIR --precision int8"
                    + " --out DIR-int8; docs/operations.md gives the memory each size needs)",
                    graph, gigabytes(weights), gigabytes(availableBytes)));
        }
        if (weights * HEADROOM > availableBytes) {
            log.warn("{}: its weights take {} and {} of memory is available; loading may run out of memory",
                    graph, gigabytes(weights), gigabytes(availableBytes));
        }
    }

    /** The graph file and its external data ({@code graph.onnx.data}) if any. */
    static long weightBytes(Path graph) {
        long total = 0;
        for (Path p : List.of(graph, graph.resolveSibling(graph.getFileName() + ".data"))) {
            try {
                total += Files.isRegularFile(p) ? Files.size(p) : 0;
            } catch (IOException e) {
                // unreadable: ORT reports it properly when it opens the file
            }
        }
        return total;
    }

    private static OptionalLong available() {
        try {
            for (String line : Files.readAllLines(MEMINFO)) {
                if (line.startsWith("MemAvailable:")) {
                    String[] parts = line.trim().split("\\s+");
                    return OptionalLong.of(Long.parseLong(parts[1]) * 1024); // kB
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or an unusual /proc: no check
        }
        return OptionalLong.empty();
    }

    private static String gigabytes(long bytes) {
        return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
    }
}
