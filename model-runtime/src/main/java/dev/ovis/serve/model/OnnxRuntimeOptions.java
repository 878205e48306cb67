package dev.ovis.serve.model;

/**
 * How ONNX Runtime sessions are created.
 *
 * @param device         {@code AUTO} uses CUDA when this build and the host provide it, else the CPU
 * @param cudaDeviceId   GPU ordinal for the CUDA provider
 * @param intraOpThreads threads per session for CPU kernels; 0 lets ONNX Runtime choose (one per core)
 */
public record OnnxRuntimeOptions(Device device, int cudaDeviceId, int intraOpThreads) {

    /** Execution provider preference. */
    public enum Device {
        /** CUDA when available, otherwise CPU. */
        AUTO,
        /** Always the CPU provider. */
        CPU,
        /** CUDA or fail: for GPU deployments that must not silently run on the CPU. */
        CUDA
    }

    public OnnxRuntimeOptions {
        if (device == null) {
            device = Device.AUTO;
        }
        if (cudaDeviceId < 0 || intraOpThreads < 0) {
            throw new IllegalArgumentException("cudaDeviceId and intraOpThreads must not be negative");
        }
    }

    /** AUTO device, GPU 0, ONNX Runtime's default thread count. */
    public static OnnxRuntimeOptions defaults() {
        return new OnnxRuntimeOptions(Device.AUTO, 0, 0);
    }
}
