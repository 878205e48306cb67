"""Ovis2 modules in plain PyTorch: the AIMv2 visual tokenizer and the Qwen2.5 decoder.

One implementation serves both export paths: random-init models and real checkpoints load their
weights into these modules (state-dict names follow the Ovis2 checkpoints: `visual_tokenizer.*`,
`vte.weight`, `llm.*`). Attention is written by hand (no scaled_dot_product_attention) so the code
runs on Debian's torch 1.13 and on current PyTorch, and so the ONNX graphs are plain opset-17 ops.
"""
import dataclasses
import math

import torch
from torch import nn
from torch.nn import functional as F

INDICATOR_IDS = [-301, -302, -303, -304, -305]


@dataclasses.dataclass(frozen=True)
class VisionConfig:
    hidden_size: int
    intermediate_size: int
    num_layers: int
    num_heads: int
    visual_vocab_size: int = 65536
    image_size: int = 448
    patch_size: int = 14
    hidden_stride: int = 2
    rms_norm_eps: float = 1e-5
    layer_norm_eps: float = 1e-5

    @property
    def head_dim(self):
        return self.hidden_size // self.num_heads

    @property
    def num_patches(self):
        return (self.image_size // self.patch_size) ** 2

    @property
    def tokens_per_crop(self):
        return self.num_patches // (self.hidden_stride ** 2)

    @property
    def head_out(self):
        return self.visual_vocab_size - len(INDICATOR_IDS)


@dataclasses.dataclass(frozen=True)
class LlmConfig:
    hidden_size: int
    num_layers: int
    num_heads: int
    num_kv_heads: int
    head_dim: int
    intermediate_size: int
    vocab_size: int
    tie_word_embeddings: bool
    rms_norm_eps: float = 1e-6
    rope_theta: float = 1000000.0
    max_position_embeddings: int = 32768


@dataclasses.dataclass(frozen=True)
class OvisConfig:
    vision: VisionConfig
    llm: LlmConfig
    context_length: int = 32768


def _vit_large(): return dict(hidden_size=1024, intermediate_size=2816, num_layers=24, num_heads=8)
def _vit_huge(): return dict(hidden_size=1536, intermediate_size=4096, num_layers=24, num_heads=12)
def _vit_1b(): return dict(hidden_size=2048, intermediate_size=5632, num_layers=24, num_heads=16)


def _llm(h, layers, q, kv, hd, mlp, vocab, tied):
    return dict(hidden_size=h, num_layers=layers, num_heads=q, num_kv_heads=kv, head_dim=hd,
                intermediate_size=mlp, vocab_size=vocab, tie_word_embeddings=tied)


# ovis2.md §1. "tiny" is ours: the real layout (448 px, 14 px patches, 256 tokens per crop) with
# small widths and a 1024-word visual vocabulary, so the committed fixture stays a few MB.
SIZES = {
    "tiny": OvisConfig(
        VisionConfig(hidden_size=32, intermediate_size=64, num_layers=2, num_heads=2, visual_vocab_size=1024),
        LlmConfig(**_llm(64, 2, 4, 2, 16, 128, 512, True))),
    "1b": OvisConfig(VisionConfig(**_vit_large()), LlmConfig(**_llm(896, 24, 14, 2, 64, 4864, 151936, True))),
    "2b": OvisConfig(VisionConfig(**_vit_large()), LlmConfig(**_llm(1536, 28, 12, 2, 128, 8960, 151936, True))),
    "4b": OvisConfig(VisionConfig(**_vit_huge()), LlmConfig(**_llm(2048, 36, 16, 2, 128, 11008, 151936, True))),
    "8b": OvisConfig(VisionConfig(**_vit_huge()), LlmConfig(**_llm(3584, 28, 28, 4, 128, 18944, 152064, False))),
    "16b": OvisConfig(VisionConfig(**_vit_huge()), LlmConfig(**_llm(5120, 48, 40, 8, 128, 13824, 152064, False))),
    "34b": OvisConfig(VisionConfig(**_vit_1b()), LlmConfig(**_llm(5120, 64, 40, 8, 128, 27648, 152064, False))),
}


class RMSNorm(nn.Module):
    """RMSNorm computed in float32 and cast back before the weight (AIMv2 and Qwen2 agree)."""

    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        xf = x.float()
        xf = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * xf.to(x.dtype)


# ---------------------------------------------------------------- AIMv2 visual tokenizer

class PatchEmbed(nn.Module):
    def __init__(self, c: VisionConfig):
        super().__init__()
        self.proj = nn.Conv2d(3, c.hidden_size, kernel_size=c.patch_size, stride=c.patch_size)
        self.norm = RMSNorm(c.hidden_size, c.rms_norm_eps)

    def forward(self, x):
        return self.norm(self.proj(x).flatten(2).transpose(1, 2))


class ViTPreprocessor(nn.Module):
    def __init__(self, c: VisionConfig):
        super().__init__()
        self.patchifier = PatchEmbed(c)
        self.pos_embed = nn.Parameter(torch.zeros(1, c.num_patches, c.hidden_size))

    def forward(self, x):
        return self.patchifier(x) + self.pos_embed


class ViTAttention(nn.Module):
    def __init__(self, c: VisionConfig):
        super().__init__()
        self.num_heads = c.num_heads
        self.head_dim = c.head_dim
        self.qkv = nn.Linear(c.hidden_size, 3 * c.hidden_size, bias=False)
        self.proj = nn.Linear(c.hidden_size, c.hidden_size, bias=False)

    def forward(self, x):
        n, t, d = x.shape
        qkv = self.qkv(x).reshape(n, t, 3, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        att = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(self.head_dim)), dim=-1)
        return self.proj(torch.matmul(att, v).transpose(1, 2).reshape(n, t, d))


class SwiGLU(nn.Module):
    def __init__(self, c: VisionConfig):
        super().__init__()
        self.fc1 = nn.Linear(c.hidden_size, c.intermediate_size, bias=False)
        self.fc2 = nn.Linear(c.intermediate_size, c.hidden_size, bias=False)
        self.fc3 = nn.Linear(c.hidden_size, c.intermediate_size, bias=False)

    def forward(self, x):
        return self.fc2(F.silu(self.fc1(x)) * self.fc3(x))


class ViTBlock(nn.Module):
    def __init__(self, c: VisionConfig):
        super().__init__()
        self.attn = ViTAttention(c)
        self.norm_1 = RMSNorm(c.hidden_size, c.rms_norm_eps)
        self.mlp = SwiGLU(c)
        self.norm_2 = RMSNorm(c.hidden_size, c.rms_norm_eps)

    def forward(self, x):
        x = x + self.attn(self.norm_1(x))
        return x + self.mlp(self.norm_2(x))


class ViTTrunk(nn.Module):
    def __init__(self, c: VisionConfig):
        super().__init__()
        self.blocks = nn.ModuleList([ViTBlock(c) for _ in range(c.num_layers)])
        # Present in checkpoints, deliberately unused: Ovis2 takes the last block's output.
        self.post_trunk_norm = RMSNorm(c.hidden_size, c.rms_norm_eps)

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return x


class AimV2(nn.Module):
    def __init__(self, c: VisionConfig):
        super().__init__()
        self.preprocessor = ViTPreprocessor(c)
        self.trunk = ViTTrunk(c)

    def forward(self, x):
        return self.trunk(self.preprocessor(x))


class VisualTokenizer(nn.Module):
    """pixels [N,3,448,448] -> probabilities over the visual vocabulary [N,256,V] (ovis2.md §3)."""

    def __init__(self, c: VisionConfig):
        super().__init__()
        self.config = c
        self.backbone = AimV2(c)
        self.head = nn.Sequential(
            nn.Linear(c.hidden_size * c.hidden_stride ** 2, c.head_out, bias=False),
            nn.LayerNorm(c.head_out, eps=c.layer_norm_eps))

    def forward(self, pixel_values):
        c = self.config
        f = self.backbone(pixel_values)
        n, t, d = f.shape
        side = int(math.isqrt(t))
        s = c.hidden_stride
        f = f.reshape(n, side // s, s, side // s, s, d).permute(0, 1, 3, 2, 4, 5)
        f = f.reshape(n, (side // s) ** 2, s * s * d)
        probs = torch.softmax(self.head(f), dim=-1)
        return F.pad(probs, (0, len(INDICATOR_IDS)))


class VisionEncoder(nn.Module):
    """The vision graph: visual tokenizer, then the probabilistic VTE lookup -> [N,256,H]."""

    def __init__(self, visual_tokenizer, vte):
        super().__init__()
        self.visual_tokenizer = visual_tokenizer
        self.vte = vte

    def forward(self, pixel_values):
        probs = self.visual_tokenizer(pixel_values)
        return torch.matmul(probs, self.vte.weight).float()


# ---------------------------------------------------------------- Qwen2.5 decoder

class Qwen2Attention(nn.Module):
    def __init__(self, c: LlmConfig):
        super().__init__()
        self.c = c
        self.q_proj = nn.Linear(c.hidden_size, c.num_heads * c.head_dim, bias=True)
        self.k_proj = nn.Linear(c.hidden_size, c.num_kv_heads * c.head_dim, bias=True)
        self.v_proj = nn.Linear(c.hidden_size, c.num_kv_heads * c.head_dim, bias=True)
        self.o_proj = nn.Linear(c.num_heads * c.head_dim, c.hidden_size, bias=False)

    def forward(self, x, cos, sin, bias, past_k, past_v):
        c = self.c
        b, s, _ = x.shape
        q = self.q_proj(x).reshape(b, s, c.num_heads, c.head_dim).transpose(1, 2)
        k = self.k_proj(x).reshape(b, s, c.num_kv_heads, c.head_dim).transpose(1, 2)
        v = self.v_proj(x).reshape(b, s, c.num_kv_heads, c.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = torch.cat([past_k, k], dim=2)
        v = torch.cat([past_v, v], dim=2)
        # GQA without repeating K/V: group the query heads by their KV head and let MatMul broadcast.
        groups = c.num_heads // c.num_kv_heads
        qg = q.reshape(b, c.num_kv_heads, groups * s, c.head_dim)
        scores = torch.matmul(qg, k.transpose(-1, -2)).float() * (1.0 / math.sqrt(c.head_dim))
        scores = scores.reshape(b, c.num_kv_heads, groups, s, -1) + bias
        att = torch.softmax(scores, dim=-1).to(v.dtype).reshape(b, c.num_kv_heads, groups * s, -1)
        out = torch.matmul(att, v).reshape(b, c.num_heads, s, c.head_dim).transpose(1, 2)
        return self.o_proj(out.reshape(b, s, c.num_heads * c.head_dim)), k, v


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


class Qwen2Mlp(nn.Module):
    def __init__(self, c: LlmConfig):
        super().__init__()
        self.gate_proj = nn.Linear(c.hidden_size, c.intermediate_size, bias=False)
        self.up_proj = nn.Linear(c.hidden_size, c.intermediate_size, bias=False)
        self.down_proj = nn.Linear(c.intermediate_size, c.hidden_size, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Qwen2Layer(nn.Module):
    def __init__(self, c: LlmConfig):
        super().__init__()
        self.self_attn = Qwen2Attention(c)
        self.mlp = Qwen2Mlp(c)
        self.input_layernorm = RMSNorm(c.hidden_size, c.rms_norm_eps)
        self.post_attention_layernorm = RMSNorm(c.hidden_size, c.rms_norm_eps)

    def forward(self, h, cos, sin, bias, past_k, past_v):
        a, k, v = self.self_attn(self.input_layernorm(h), cos, sin, bias, past_k, past_v)
        h = h + a
        return h + self.mlp(self.post_attention_layernorm(h)), k, v


class Qwen2Model(nn.Module):
    def __init__(self, c: LlmConfig):
        super().__init__()
        self.embed_tokens = nn.Embedding(c.vocab_size, c.hidden_size)
        self.layers = nn.ModuleList([Qwen2Layer(c) for _ in range(c.num_layers)])
        self.norm = RMSNorm(c.hidden_size, c.rms_norm_eps)


class Qwen2ForCausalLM(nn.Module):
    def __init__(self, c: LlmConfig):
        super().__init__()
        self.config = c
        self.model = Qwen2Model(c)
        self.lm_head = nn.Linear(c.hidden_size, c.vocab_size, bias=False)
        if c.tie_word_embeddings:
            self.lm_head.weight = self.model.embed_tokens.weight


class Decoder(nn.Module):
    """The decoder graph: embeddings + mask + positions + past KV -> last-position logits + present KV.

    attention_mask [B, P+S] marks real (1) and padding (0) positions of the whole sequence; a query
    always sees itself so that padding rows stay finite (their outputs are never used).
    """

    def __init__(self, llm: Qwen2ForCausalLM):
        super().__init__()
        self.llm = llm
        c = llm.config
        inv_freq = 1.0 / (c.rope_theta ** (torch.arange(0, c.head_dim, 2, dtype=torch.int64).float() / c.head_dim))
        self.register_buffer("inv_freq", inv_freq, persistent=False)

    def forward(self, inputs_embeds, attention_mask, position_ids, *past):
        c = self.llm.config
        s = inputs_embeds.shape[1]
        t = attention_mask.shape[1]
        freqs = position_ids.float().unsqueeze(-1) * self.inv_freq
        emb = torch.cat([freqs, freqs], dim=-1)
        dtype = inputs_embeds.dtype
        cos = emb.cos().to(dtype).unsqueeze(1)
        sin = emb.sin().to(dtype).unsqueeze(1)
        q_pos = torch.arange(s, dtype=torch.int64).unsqueeze(1) + (t - s)
        k_pos = torch.arange(t, dtype=torch.int64).unsqueeze(0)
        allowed = (k_pos <= q_pos).unsqueeze(0) & ((attention_mask.unsqueeze(1) > 0) | (k_pos == q_pos).unsqueeze(0))
        zero = torch.zeros((), dtype=torch.float32)
        neg = torch.full((), torch.finfo(torch.float32).min, dtype=torch.float32)
        bias = torch.where(allowed, zero, neg).unsqueeze(1).unsqueeze(1)  # [B,1,1,S,T]
        h = inputs_embeds
        presents = []
        for i, layer in enumerate(self.llm.model.layers):
            h, k, v = layer(h, cos, sin, bias, past[2 * i], past[2 * i + 1])
            presents += [k, v]
        h = self.llm.model.norm(h[:, -1, :])
        logits = self.llm.lm_head(h).float()
        return (logits, *presents)


class Ovis2(nn.Module):
    """Container with the checkpoint's module names: visual_tokenizer, vte, llm."""

    def __init__(self, config: OvisConfig):
        super().__init__()
        self.config = config
        self.visual_tokenizer = VisualTokenizer(config.vision)
        self.vte = nn.Embedding(config.vision.visual_vocab_size, config.llm.hidden_size)
        self.llm = Qwen2ForCausalLM(config.llm)

    def vision_encoder(self):
        return VisionEncoder(self.visual_tokenizer, self.vte)

    def decoder(self):
        return Decoder(self.llm)


def random_init(model: Ovis2, seed: int):
    """Deterministic weights from numpy's PCG64 (stable across numpy and torch versions).

    Scales keep activations O(1) and make logits spread enough that greedy choices are clear-cut.
    """
    import numpy as np
    rng = np.random.default_rng(seed)
    h = model.config.llm.hidden_size
    for name, p in model.named_parameters():  # tied lm_head is yielded once, as embed_tokens
        shape = tuple(p.shape)
        z = rng.standard_normal(size=shape, dtype=np.float32)
        if name.endswith("pos_embed"):
            w = 0.5 * z
        elif name.endswith("norm.weight") or "layernorm" in name or name.endswith("norm_1.weight") \
                or name.endswith("norm_2.weight") or name.endswith("head.1.weight"):
            w = 1.0 + 0.1 * z
        elif name.endswith("bias"):
            w = 0.1 * z
        elif name.endswith("embed_tokens.weight") or name == "vte.weight" or name.endswith("lm_head.weight"):
            w = (4.0 / math.sqrt(h)) * z
        else:
            fan_in = int(np.prod(shape[1:]))
            # The decoder's residual branches get a gain of 4: with tied embeddings and unit gain a
            # random model just repeats one token; with it greedy output depends on the context.
            gain = 4.0 if name.endswith(("o_proj.weight", "down_proj.weight")) else 1.0
            w = (gain / math.sqrt(fan_in)) * z
        with torch.no_grad():
            p.copy_(torch.from_numpy(np.ascontiguousarray(w)))
    return model
