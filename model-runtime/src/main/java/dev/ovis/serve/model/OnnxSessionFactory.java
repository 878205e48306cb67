package dev.ovis.serve.model;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens ONNX Runtime sessions on CUDA when this build ({@code -Pgpu}: onnxruntime_gpu) and the host provide
 * it, on the CPU otherwise. The choice is made once per factory, by probing {@code addCUDA} (which throws on
 * the CPU build and on hosts without a usable GPU), and logged once per JVM with its reason. The only way the
 * services open ONNX Runtime sessions (vision, llm, OCR, video): session options, threads and the provider are
 * set here and nowhere else. Every session it opens is the caller's to close.
 */
public final class OnnxSessionFactory {

    private static final Logger log = LoggerFactory.getLogger(OnnxSessionFactory.class);
    private static final Set<ExecutionProvider> LOGGED = ConcurrentHashMap.newKeySet();

    private final OrtEnvironment env;
    private final OnnxRuntimeOptions options;
    private final ExecutionProvider provider;

    public OnnxSessionFactory(OnnxRuntimeOptions options) throws OrtException {
        this.env = OrtEnvironment.getEnvironment();
        this.options = options;
        this.provider = choose(options);
        if (LOGGED.add(provider)) {
            log.info("ONNX Runtime {} uses the {} execution provider: {}", OrtEnvironment.getEnvironment().getVersion(),
                    provider.kind(), provider.reason());
        }
    }

    private static ExecutionProvider choose(OnnxRuntimeOptions options) throws OrtException {
        if (options.device() == OnnxRuntimeOptions.Device.CPU) {
            return new ExecutionProvider(ExecutionProvider.Kind.CPU, "CPU requested by configuration");
        }
        String failure;
        if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            failure = "this ONNX Runtime build has no CUDA provider (the GPU build is selected with -Pgpu)";
        } else {
            try (OrtSession.SessionOptions probe = new OrtSession.SessionOptions()) {
                probe.addCUDA(options.cudaDeviceId());
                return new ExecutionProvider(ExecutionProvider.Kind.CUDA,
                        "CUDA provider initialised on GPU " + options.cudaDeviceId());
            } catch (OrtException | RuntimeException e) {
                failure = "the CUDA provider did not initialise (" + e.getMessage() + ")";
            }
        }
        if (options.device() == OnnxRuntimeOptions.Device.CUDA) {
            throw new OrtException("CUDA was required but " + failure);
        }
        return new ExecutionProvider(ExecutionProvider.Kind.CPU, failure);
    }

    /** The provider every session of this factory runs on. */
    public ExecutionProvider provider() {
        return provider;
    }

    /**
     * Opens {@code graph} (ONNX external data is found next to it). The caller closes the session.
     * On the CPU, a graph whose weights do not fit in the memory available is refused first, with
     * a message saying so ({@link MemoryCheck}).
     */
    public OrtSession open(Path graph) throws OrtException {
        if (!provider.cuda()) {
            MemoryCheck.beforeLoading(graph);
        }
        try (OrtSession.SessionOptions so = sessionOptions()) {
            return env.createSession(graph.toString(), so);
        }
    }

    /**
     * Opens a graph held in memory (small models shipped inside a jar, such as OCR's). The caller closes the
     * session. No memory check: the bytes are already on the heap.
     */
    public OrtSession open(byte[] graph) throws OrtException {
        try (OrtSession.SessionOptions so = sessionOptions()) {
            return env.createSession(graph, so);
        }
    }

    /** The environment sessions of this factory live in, for the tensors fed to them. */
    public OrtEnvironment environment() {
        return env;
    }

    /**
     * The options of every session of the suite, in this one place; ONNX Runtime copies them into the
     * session, so the caller closes them as soon as the session is created. Inter-op threads are left
     * alone: sessions run sequentially, where ONNX Runtime ignores them.
     */
    private OrtSession.SessionOptions sessionOptions() throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        try {
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (options.intraOpThreads() > 0) {
                so.setIntraOpNumThreads(options.intraOpThreads());
            }
            if (provider.cuda()) {
                so.addCUDA(options.cudaDeviceId());
            }
            return so;
        } catch (OrtException | RuntimeException e) {
            so.close();
            throw e;
        }
    }
}
