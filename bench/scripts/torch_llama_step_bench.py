#!/usr/bin/python3
"""The PyTorch twin of `./jtune bench llama-lora-step`: a Llama-family training step in plain PyTorch (Debian
python3-torch 1.13.1, CPU fp32), for side-by-side runs on the same machine.

Model (transformers' modeling_llama / modeling_qwen2, written out in plain torch): token embedding -> L x pre-norm
block [RMSNorm -> attention (q/k/v projections, with bias for qwen2; RoPE, rotate-half form; grouped-query heads
repeated; causal softmax(QK^T / sqrt(hd)) V, the explicit path: torch 1.13 has no scaled_dot_product_attention;
o_proj) ; RMSNorm -> SwiGLU MLP down(silu(gate(x)) * up(x))] -> final RMSNorm -> lm_head (tied to the embedding for
the presets here) -> cross-entropy of logits[:, :-1] against the tokens shifted by one (the causal-LM loss).
LoRA (PEFT's formula): y = base(x) + (alpha / r) * B(A(x)) on the target projections, A ~ kaiming-uniform, B = 0, no
dropout; the base is frozen, AdamW (lr 1e-4, weight decay 0) updates the adapters only. --lora-r 0 fine-tunes every
parameter instead. Init: weights N(0, 0.02), norm gains 1, biases 0. Data: random tokens.

One timed step = zero_grad(set_to_none) + forward (with loss) + backward + optimizer.step(); forward-only = the same
forward under torch.inference_mode(). Steps where other processes used more than 5% of the machine are reported
apart (as torch_gpt2_bench.py does).

usage: torch_llama_step_bench.py [--config qwen2.5-0.5b|llama-16m] [--lora-r 8] [--B 4] [--T 64] [--threads 2]
                                 [--steps 3] [--warmup 1] [--fwd 3]
"""
import argparse, math, os, resource, statistics, time
import torch
import torch.nn as nn
import torch.nn.functional as F

PRESETS = {  # the shapes of bench/src/main/java/dev/jtune/bench/model/LlamaPresets.java
    "qwen2.5-0.5b": dict(V=151936, C=896, I=4864, L=24, H=14, KV=2, eps=1e-6, theta=1e6, qkv_bias=True),
    "llama-16m": dict(V=50257, C=256, I=688, L=4, H=4, KV=4, eps=1e-6, theta=1e4, qkv_bias=False),
}

p = argparse.ArgumentParser()
p.add_argument("--config", default="qwen2.5-0.5b", choices=sorted(PRESETS))
p.add_argument("--lora-r", type=int, default=8, help="adapter rank on q_proj,v_proj (alpha 2r); 0: full fine-tuning")
p.add_argument("--B", type=int, default=4); p.add_argument("--T", type=int, default=64)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--steps", type=int, default=3); p.add_argument("--warmup", type=int, default=1)
p.add_argument("--fwd", type=int, default=3)
args = p.parse_args()
cfg = PRESETS[args.config]
torch.set_num_threads(args.threads)
torch.manual_seed(1337)


class LoraLinear(nn.Module):
    def __init__(s, base, r):
        super().__init__()
        s.base, s.scale = base, 2.0  # alpha = 2r
        s.A = nn.Parameter(torch.empty(r, base.in_features)); nn.init.kaiming_uniform_(s.A, a=math.sqrt(5))
        s.B = nn.Parameter(torch.zeros(base.out_features, r))
    def forward(s, x):
        return s.base(x) + s.scale * F.linear(F.linear(x, s.A), s.B)


class RMSNorm(nn.Module):
    def __init__(s, C, eps):
        super().__init__(); s.w, s.eps = nn.Parameter(torch.ones(C)), eps
    def forward(s, x):
        return s.w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + s.eps))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


class Block(nn.Module):
    def __init__(s, c):
        super().__init__()
        C, hd = c["C"], c["C"] // c["H"]
        s.H, s.KV, s.hd = c["H"], c["KV"], hd
        s.q = nn.Linear(C, s.H * hd, bias=c["qkv_bias"]); s.k = nn.Linear(C, s.KV * hd, bias=c["qkv_bias"])
        s.v = nn.Linear(C, s.KV * hd, bias=c["qkv_bias"]); s.o = nn.Linear(s.H * hd, C, bias=False)
        s.gate = nn.Linear(C, c["I"], bias=False); s.up = nn.Linear(C, c["I"], bias=False)
        s.down = nn.Linear(c["I"], C, bias=False)
        s.n1, s.n2 = RMSNorm(C, c["eps"]), RMSNorm(C, c["eps"])
    def forward(s, x, cos, sin, mask):
        B, T, C = x.shape
        h = s.n1(x)
        q = s.q(h).view(B, T, s.H, s.hd).transpose(1, 2)
        k = s.k(h).view(B, T, s.KV, s.hd).transpose(1, 2)
        v = s.v(h).view(B, T, s.KV, s.hd).transpose(1, 2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(s.H // s.KV, dim=1); v = v.repeat_interleave(s.H // s.KV, dim=1)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(s.hd))
        y = F.softmax(att.masked_fill(mask, float("-inf")), dim=-1) @ v
        x = x + s.o(y.transpose(1, 2).reshape(B, T, C))
        h = s.n2(x)
        return x + s.down(F.silu(s.gate(h)) * s.up(h))


class Model(nn.Module):
    def __init__(s, c):
        super().__init__()
        s.c = c
        s.embed = nn.Embedding(c["V"], c["C"])
        s.layers = nn.ModuleList(Block(c) for _ in range(c["L"]))
        s.norm = RMSNorm(c["C"], c["eps"])
        for name, prm in s.named_parameters():
            if prm.dim() == 2: nn.init.normal_(prm, std=0.02)
            elif name.endswith(".bias"): nn.init.zeros_(prm)
    def forward(s, idx):
        B, T = idx.shape
        hd = s.c["C"] // s.c["H"]
        inv = 1.0 / (s.c["theta"] ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd))
        freqs = torch.outer(torch.arange(T, dtype=torch.float32), inv)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos(), emb.sin()
        mask = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
        x = s.embed(idx)
        for layer in s.layers: x = layer(x, cos, sin, mask)
        logits = F.linear(s.norm(x), s.embed.weight)  # tied head
        return F.cross_entropy(logits[:, :-1].reshape(-1, logits.size(-1)), idx[:, 1:].reshape(-1))


t0 = time.perf_counter()
model = Model(cfg)
if args.lora_r > 0:
    for prm in model.parameters(): prm.requires_grad_(False)
    for layer in model.layers:
        layer.q, layer.v = LoraLinear(layer.q, args.lora_r), LoraLinear(layer.v, args.lora_r)
trainable = [q for q in model.parameters() if q.requires_grad]
opt = torch.optim.AdamW(trainable, lr=1e-4, weight_decay=0.0)
print(f"torch {torch.__version__} threads={torch.get_num_threads()} LD_LIBRARY_PATH={os.environ.get('LD_LIBRARY_PATH')}"
      f" OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')}")
print(f"CONFIG {args.config} B={args.B} T={args.T} lora_r={args.lora_r} params={sum(q.numel() for q in model.parameters())}"
      f" trainable={sum(q.numel() for q in trainable)} built in {time.perf_counter() - t0:.1f} s")
idx = torch.randint(0, cfg["V"], (args.B, args.T), generator=torch.Generator().manual_seed(42))

TICK, NCPU = os.sysconf("SC_CLK_TCK"), os.cpu_count()
def mark():
    with open("/proc/stat") as f:
        u, n, s_, i, w, irq, sirq, st = (int(x) for x in f.readline().split()[1:9])
    t = os.times()
    return time.perf_counter(), (u + n + s_ + irq + sirq + st) / TICK, t.user + t.system
def foreign_pct(a, b):
    return max(0.0, 100 * ((b[1] - a[1]) - (b[2] - a[2])) / ((b[0] - a[0]) * NCPU))
def report(name, v, fp):
    v = [x * 1e3 for x in v]; c = [x for x, f in zip(v, fp) if f <= 5]
    alls = f"[all {len(v)}: median {statistics.median(v):.1f}, min {min(v):.1f}, max {max(v):.1f}]"
    med = f"median {statistics.median(c):.1f} ms (clean {len(c)}/{len(v)})" if c else f"NO CLEAN SAMPLE (0/{len(v)})"
    print(f"RESULT {name}: {med}  {alls}")

steps, fps = [], []
for step in range(args.warmup + args.steps):
    m0 = mark()
    opt.zero_grad(set_to_none=True)
    loss = model(idx)
    loss.backward()
    opt.step()
    m1 = mark()
    print(f"step {step}: loss {loss.item():.4f} took {(m1[0] - m0[0]) * 1e3:.1f} ms{' [warm-up]' if step < args.warmup else ''}",
          flush=True)
    if step >= args.warmup: steps.append(m1[0] - m0[0]); fps.append(foreign_pct(m0, m1))
fwd, ffp = [], []
with torch.inference_mode():
    for i in range(1 + args.fwd):
        m0 = mark(); model(idx); m1 = mark()
        if i >= 1: fwd.append(m1[0] - m0[0]); ffp.append(foreign_pct(m0, m1))
report("train_step", steps, fps)
report("forward_only(inference_mode)", fwd, ffp)
print(f"RESULT peak_rss: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
