"""Precision rewrites of exported float32 graphs, with the `onnx` package only.

fp16: weights and activations in float16, except where float32 is needed for accuracy or range:
RMSNorm statistics (Pow/ReduceMean/Sqrt/Div), LayerNormalization, Softmax, the rotary angles
(Cos/Sin and the int -> float position cast; fp16 cannot even represent positions above 2048
exactly) and the attention mask. Graph inputs and outputs stay float32 (casts at the edges), so the
Java side drives every precision the same way. In the vision graph the head's LayerNorm, the softmax
over the visual vocabulary and the probability x VTE product stay float32 (ovis2.md §7.2).

int8 / int4: weight-only quantisation of the decoder's linear layers (q/k/v/o, MLP, lm_head) into
com.microsoft MatMulNBits (symmetric, per block of 32 along K, float32 scales, implicit zero point
2^(bits-1), accuracy_level 4 = int8 activations inside ONNX Runtime's kernel). Everything else
stays float32.

Vision int8 (`vision_precision`, chosen separately): the same rewrite applied to the vision graph's
linear layers - the ViT's qkv/proj/fc1/fc2/fc3 and the visual head's Linear - that is, every MatMul
under the `/visual_tokenizer/` scope whose weight is an initializer. The probability x VTE product
(outside that scope) stays float32, as do the patch Conv, the RMSNorms, the head LayerNorm, the
softmaxes and the attention products (activation x activation, no initializer).
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F32, F16 = TensorProto.FLOAT, TensorProto.FLOAT16
ALWAYS_F32 = {"Softmax", "LayerNormalization", "Pow", "ReduceMean", "Sqrt", "Reciprocal", "Div", "Cos", "Sin",
              "Range", "ConstantOfShape"}
TYPE_AGNOSTIC = {"Shape", "Size"}
BLOCK = 32


def convert(model, graph_name, precision):
    if precision == "fp16":
        return to_fp16(model)
    if precision in ("int8", "int4"):
        if graph_name != "decoder":
            return model  # vision stays float32 for the weight-only precisions
        return quantize_matmuls(model, 8 if precision == "int8" else 4)
    raise ValueError(precision)


VISION_PRECISIONS = ("fp32", "int8")
VISION_LINEAR_SCOPE = "/visual_tokenizer/"


def vision_linear(node):
    """The ViT and visual-head Linears. Their node names carry the tracer's module scope; the VTE
    product is traced at the top level (`/MatMul`) and so is left out, keeping VTE float32 as in
    the fp16 rewrite (it turns probabilities over 65 531 words into the embedding)."""
    return node.name.startswith(VISION_LINEAR_SCOPE)


def quantize_vision(model, bits=8):
    """Weight-only MatMulNBits for the vision graph's linear layers (module docstring)."""
    before = sum(1 for n in model.graph.node if n.op_type == "MatMulNBits")
    model = quantize_matmuls(model, bits, select=vision_linear)
    if sum(1 for n in model.graph.node if n.op_type == "MatMulNBits") == before:
        # A graph traced under other module names would silently stay float32: refuse instead.
        raise ValueError(f"no MatMul with an initializer weight under {VISION_LINEAR_SCOPE} in the vision graph")
    return model


def _elem_types(model):
    """Element type of every tensor, from shape inference on a copy without initializer data."""
    stripped = onnx.ModelProto()
    stripped.CopyFrom(model) if model.ByteSize() < (1 << 30) else _copy_without_data(model, stripped)
    g = stripped.graph
    inits = list(g.initializer)
    del g.initializer[:]
    for t in inits:
        g.input.append(helper.make_tensor_value_info(t.name, t.data_type, list(t.dims)))
    inferred = onnx.shape_inference.infer_shapes(stripped)
    types = {}
    for vi in list(inferred.graph.value_info) + list(inferred.graph.input) + list(inferred.graph.output):
        types[vi.name] = vi.type.tensor_type.elem_type
    for n in model.graph.node:
        if n.op_type == "Constant":
            for a in n.attribute:
                if a.name == "value":
                    types[n.output[0]] = a.t.data_type
    return types


def _copy_without_data(model, out):
    out.ir_version = model.ir_version
    out.opset_import.extend(model.opset_import)
    g = out.graph
    g.name = model.graph.name
    g.node.extend(model.graph.node)
    g.input.extend(model.graph.input)
    g.output.extend(model.graph.output)
    for t in model.graph.initializer:
        e = TensorProto()
        e.name, e.data_type = t.name, t.data_type
        e.dims.extend(t.dims)
        g.initializer.append(e)
    return out


def _to_f16_tensor(arr, name):
    a = np.clip(arr.astype(np.float32), -65504.0, 65504.0).astype(np.float16)
    return numpy_helper.from_array(a, name)


def to_fp16(model):
    types = _elem_types(model)
    g = model.graph
    inits = {t.name: t for t in g.initializer}
    consts = {n.output[0]: n for n in g.node if n.op_type == "Constant"}
    graph_inputs = {i.name for i in g.input if i.type.tensor_type.elem_type == F32}
    cls = {}  # float tensor -> "f32" | "f16" | "neutral" (weights/constants) | "input"
    for name in inits:
        if inits[name].data_type == F32:
            cls[name] = "neutral"
    for name in consts:
        if types.get(name) == F32:
            cls[name] = "neutral"
    for name in graph_inputs:
        cls[name] = "input"
    new_nodes, new_inits, cache = [], [], {}

    def as_type(name, want):
        c = cls[name]
        if (c == "f32" and want == "f32") or (c == "f16" and want == "f16") or (c in ("neutral", "input") and want == "f32"):
            return name
        key = (name, want)
        if key in cache:
            return cache[key]
        out = name + ("_fp16" if want == "f16" else "_fp32")
        if c == "neutral" and want == "f16":
            arr = numpy_helper.to_array(inits[name]) if name in inits else \
                numpy_helper.to_array(next(a.t for a in consts[name].attribute if a.name == "value"))
            new_inits.append(_to_f16_tensor(arr, out))
        else:
            new_nodes.append(helper.make_node("Cast", [name], [out], to=F16 if want == "f16" else F32,
                                              name=out + "_cast"))
        cache[key] = out
        return out

    for node in g.node:
        if node.op_type == "Constant":
            new_nodes.append(node)
            continue
        float_inputs = [x for x in node.input if x and types.get(x) == F32]
        if node.op_type in TYPE_AGNOSTIC:
            new_nodes.append(node)
            continue
        if node.op_type in ALWAYS_F32 or (node.op_type == "Cast" and not float_inputs):
            want = "f32"  # includes int -> float casts (positions: fp16 is exact only up to 2048)
        elif any(cls.get(x) in ("f16", "input") for x in float_inputs):
            want = "f16"
        else:
            want = "f32"
        for i, x in enumerate(node.input):
            if x in float_inputs:
                node.input[i] = as_type(x, want)
        if node.op_type == "Cast" and float_inputs:
            # torch writes .float() / .to(dtype) as float -> float casts: they follow the chosen precision
            for a in node.attribute:
                if a.name == "to":
                    a.i = F16 if want == "f16" else F32
        new_nodes.append(node)
        for y in node.output:
            if types.get(y) == F32:
                cls[y] = want
    # Graph outputs stay float32.
    renames = {}
    for o in g.output:
        if cls.get(o.name) == "f16":
            renames[o.name] = o.name + "_fp16out"
    for n in new_nodes:
        for i, x in enumerate(n.input):
            if x in renames:
                n.input[i] = renames[x]
        for i, y in enumerate(n.output):
            if y in renames:
                n.output[i] = renames[y]
    for orig, tmp in renames.items():
        new_nodes.append(helper.make_node("Cast", [tmp], [orig], to=F32, name=orig + "_cast_out"))
    used = {x for n in new_nodes for x in n.input} | {o.name for o in g.output}
    new_nodes = [n for n in new_nodes if n.op_type != "Constant" or n.output[0] in used]
    kept = [t for t in g.initializer if t.name in used]
    del g.node[:]
    g.node.extend(new_nodes)
    del g.initializer[:]
    g.initializer.extend(kept + new_inits)
    del g.value_info[:]
    return model


def _quantize(w, bits):
    """w [N,K] float32 -> (packed uint8 [N, blocks, BLOCK*bits/8], scales float32 [N*blocks])."""
    n, k = w.shape
    blocks = (k + BLOCK - 1) // BLOCK
    pad = blocks * BLOCK - k
    wp = np.pad(w, ((0, 0), (0, pad))).reshape(n, blocks, BLOCK)
    qmax = (1 << (bits - 1)) - 1
    amax = np.abs(wp).max(axis=2, keepdims=True)
    scale = np.where(amax > 0, amax / qmax, 1.0).astype(np.float32)
    q = np.clip(np.rint(wp / scale), -qmax - 1, qmax).astype(np.int32) + (1 << (bits - 1))
    q = q.astype(np.uint8)
    if bits == 4:
        q = (q[:, :, 0::2] | (q[:, :, 1::2] << 4)).astype(np.uint8)
    return np.ascontiguousarray(q), scale.reshape(-1)


def quantize_matmuls(model, bits, select=None):
    """Every MatMul whose weight is a 2-D float32 initializer (and that `select(node)` accepts, when
    given) becomes MatMulNBits."""
    g = model.graph
    inits = {t.name: t for t in g.initializer}
    replaced = set()
    nodes = []
    for node in g.node:
        wanted = node.op_type == "MatMul" and len(node.input) == 2 and (select is None or select(node))
        w = inits.get(node.input[1]) if wanted else None
        if w is None or len(w.dims) != 2 or w.data_type != F32 or w.dims[0] < BLOCK:
            nodes.append(node)
            continue
        wt = numpy_helper.to_array(w).T.astype(np.float32)  # MatMul weight is [K,N]; MatMulNBits wants [N,K]
        n, k = wt.shape
        q, scales = _quantize(wt, bits)
        qname, sname = w.name + f"_q{bits}", w.name + "_scales"
        if w.name not in replaced:
            g.initializer.extend([numpy_helper.from_array(q, qname), numpy_helper.from_array(scales, sname)])
            replaced.add(w.name)
        nodes.append(helper.make_node("MatMulNBits", [node.input[0], qname, sname], list(node.output),
                                      name=(node.name or node.output[0]) + "_nbits", domain="com.microsoft",
                                      K=k, N=n, bits=bits, block_size=BLOCK, accuracy_level=4))
    used = {x for nd in nodes for x in nd.input}
    kept = [t for t in g.initializer if t.name in used]
    del g.node[:]
    g.node.extend(nodes)
    del g.initializer[:]
    g.initializer.extend(kept)
    if not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return model
