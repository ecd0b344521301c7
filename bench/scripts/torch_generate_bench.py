#!/usr/bin/python3
"""Greedy generation with a KV cache in plain PyTorch (Debian python3-torch 1.13), CPU fp32: the twin of
`./jtune bench generate`, same shapes, same token counts, result lines in the same format.

Model: GPT-2 as nanoGPT writes it (the model of shared/tools/torch_gpt2_bench.py): token + position embedding ->
L x pre-LN block [LN -> causal self-attention (fused qkv Linear C->3C, explicit softmax(q k^T / sqrt(hs)) v, output
projection) ; LN -> MLP C->4C, GELU(tanh), 4C->C] -> final LN -> lm_head tied to wte. Init N(0, 0.02), biases 0.
Prompts: seeded random token ids, all of the same length (no padding).

KV cache: per layer a [B, NH, prompt + new, hs] buffer for keys and one for values, written in place, so a step
computes one token's projections and attends over the filled positions (cheaper than the torch.cat per step of
transformers' DynamicCache). Only the last position goes through lm_head (transformers' logits_to_keep=1).

Per batch size, after one warm-up run, the median of --runs: tokens/s of the whole call (B x new tokens / time,
prompt included), the decode rate after the first new token, the prompt's time (to the first new token), and the
peak RSS while it ran (VmHWM, restarted through /proc/self/clear_refs before each batch size, as the Java harness
does). With --bandwidth GBS (from `./jtune bench bandwidth`), batch 1's decode is also given as a fraction of it.

OpenBLAS: Debian's default is the pthread build; the OpenMP one is chosen with
LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp, and OPENBLAS_CORETYPE=SkylakeX forces AVX-512 kernels.

usage: torch_generate_bench.py [--threads 2] [--batch 1,8] [--prompt-tokens 32] [--new-tokens 128] [--runs 3]
                               [--L 12 --NH 12 --C 768 --V 50257 --maxT 1024] [--bandwidth GBS]
"""
import argparse, math, os, statistics, time
import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--L", type=int, default=12); p.add_argument("--NH", type=int, default=12)
p.add_argument("--C", type=int, default=768); p.add_argument("--V", type=int, default=50257)
p.add_argument("--maxT", type=int, default=1024)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--batch", default="1,8")
p.add_argument("--prompt-tokens", type=int, default=32); p.add_argument("--new-tokens", type=int, default=128)
p.add_argument("--runs", type=int, default=3)
p.add_argument("--bandwidth", type=float, default=None, help="GB/s to report batch-1 decode against")
args = p.parse_args()
if args.new_tokens < 2: p.error("--new-tokens must be >= 2")

torch.set_num_threads(args.threads)
torch.manual_seed(1337)


class CausalSelfAttention(nn.Module):
    def __init__(s, C, NH, maxT):
        super().__init__()
        s.c_attn = nn.Linear(C, 3 * C); s.c_proj = nn.Linear(C, C); s.NH = NH
        s.register_buffer("mask", torch.tril(torch.ones(maxT, maxT, dtype=torch.bool)).view(1, 1, maxT, maxT))

    def forward(s, x, cache, past):
        """x (B, T, C); cache = (k, v) buffers (B, NH, T_max, hs) holding `past` positions, extended here."""
        B, T, C = x.shape
        hs = C // s.NH
        q, k, v = s.c_attn(x).split(C, dim=2)
        q = q.view(B, T, s.NH, hs).transpose(1, 2)                    # (B, NH, T, hs)
        k_cache, v_cache = cache
        k_cache[:, :, past:past + T] = k.view(B, T, s.NH, hs).transpose(1, 2)
        v_cache[:, :, past:past + T] = v.view(B, T, s.NH, hs).transpose(1, 2)
        k, v = k_cache[:, :, :past + T], v_cache[:, :, :past + T]   # (B, NH, past + T, hs)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hs))      # (B, NH, T, past + T)
        if T > 1:  # one new token sees every cached position: no mask
            att = att.masked_fill(~s.mask[:, :, past:past + T, :past + T], float("-inf"))
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        return s.c_proj(y)


class MLP(nn.Module):
    def __init__(s, C):
        super().__init__()
        s.c_fc = nn.Linear(C, 4 * C); s.c_proj = nn.Linear(4 * C, C)

    def forward(s, x):
        return s.c_proj(F.gelu(s.c_fc(x), approximate="tanh"))


class Block(nn.Module):
    def __init__(s, C, NH, maxT):
        super().__init__()
        s.ln_1 = nn.LayerNorm(C); s.attn = CausalSelfAttention(C, NH, maxT)
        s.ln_2 = nn.LayerNorm(C); s.mlp = MLP(C)

    def forward(s, x, cache, past):
        x = x + s.attn(s.ln_1(x), cache, past)
        return x + s.mlp(s.ln_2(x))


class GPT(nn.Module):
    def __init__(s, V, maxT, L, NH, C):
        super().__init__()
        s.NH, s.C = NH, C
        s.wte = nn.Embedding(V, C); s.wpe = nn.Embedding(maxT, C)
        s.h = nn.ModuleList([Block(C, NH, maxT) for _ in range(L)])
        s.ln_f = nn.LayerNorm(C)
        s.lm_head = nn.Linear(C, V, bias=False)
        s.lm_head.weight = s.wte.weight  # weight tying
        for m in s.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, 0.0, 0.02)
                if isinstance(m, nn.Linear) and m.bias is not None: nn.init.zeros_(m.bias)

    def new_cache(s, B, T_max):
        shape = (B, s.NH, T_max, s.C // s.NH)
        return [(torch.empty(shape), torch.empty(shape)) for _ in s.h]

    def forward(s, idx, caches, past):
        """idx (B, T) -> logits of the last position (B, V); caches hold `past` positions and are extended."""
        T = idx.size(1)
        x = s.wte(idx) + s.wpe(torch.arange(past, past + T))
        for blk, cache in zip(s.h, caches): x = blk(x, cache, past)
        return s.lm_head(s.ln_f(x[:, -1]))


def generate(model, prompts, new_tokens):
    """Greedy continuation of prompts (B, P); returns (seconds to the first new token, total seconds)."""
    B, P = prompts.shape
    t0 = time.perf_counter()
    caches = model.new_cache(B, P + new_tokens)
    nxt = model(prompts, caches, 0).argmax(-1)           # (B,)
    t_first = time.perf_counter()
    for i in range(1, new_tokens):
        nxt = model(nxt.view(B, 1), caches, P + i - 1).argmax(-1)
    return t_first - t0, time.perf_counter() - t0


def peak_rss_gib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"): return int(line.split()[1]) / 1024 / 1024
    return float("nan")


def reset_peak_rss():
    try:
        with open("/proc/self/clear_refs", "w") as f: f.write("5")
    except OSError:
        pass  # the peak then covers the whole run


model = GPT(args.V, args.maxT, args.L, args.NH, args.C).eval()
nparams = sum(p.numel() for p in model.parameters())
weight_bytes = sum(p.numel() * p.element_size() for p in model.parameters())
env = os.environ.get
print(f"torch {torch.__version__}  threads={torch.get_num_threads()}  LD_LIBRARY_PATH={env('LD_LIBRARY_PATH')}"
      f"  OPENBLAS_CORETYPE={env('OPENBLAS_CORETYPE')}  ATEN_CPU_CAPABILITY={env('ATEN_CPU_CAPABILITY')}")
print(f"generate: torch GPT-2 L={args.L} NH={args.NH} C={args.C} V={args.V}, random weights, {nparams / 1e6:.1f}M "
      f"parameters ({weight_bytes / 1e9:.3f} GB), threads {args.threads}, {args.prompt_tokens}-token prompt, "
      f"{args.new_tokens} new tokens, greedy, KV cache")

g = torch.Generator().manual_seed(7)
decode_one = None
with torch.inference_mode():
    for B in (int(b) for b in args.batch.split(",")):
        prompts = torch.randint(0, args.V, (B, args.prompt_tokens), generator=g)
        reset_peak_rss()
        total, decode, prompt = [], [], []
        for r in range(1 + args.runs):  # one warm-up run
            first, whole = generate(model, prompts, args.new_tokens)
            if r == 0: continue
            total.append(B * args.new_tokens / whole)
            decode.append(B * (args.new_tokens - 1) / (whole - first))
            prompt.append(first)
        med = statistics.median_high
        print(f"generate batch {B}: {med(total):.1f} tokens/s (decode {med(decode):.1f} tokens/s, prompt "
              f"{med(prompt):.3f} s), median of {args.runs} runs, peak RSS {peak_rss_gib():.2f} GiB", flush=True)
        if B == 1: decode_one = med(decode)

if decode_one is not None:
    read = decode_one * weight_bytes / 1e9
    limit = (f" = {100 * read / args.bandwidth:.0f}% of the {args.bandwidth:.1f} GB/s bandwidth limit"
             if args.bandwidth else "")
    print(f"batch-1 decode reads {read:.1f} GB/s of weights{limit}")
