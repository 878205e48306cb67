package dev.ovis.serve.llm.decode;

import java.nio.ByteBuffer;

/**
 * A view of KV tensors shaped {@code [batch, kvHeads, length, headDim]}: one buffer per layer for K
 * and one for V ({@code tensors[2i]} = key of layer i, {@code tensors[2i+1]} = value), each direct,
 * native order, exactly the tensor's size. Borrowed views: the {@link KvCache} owns the memory.
 */
record KvBlock(ByteBuffer[] tensors, int batch, int length) {
}
