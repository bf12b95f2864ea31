#!/usr/bin/env python3
"""PyTorch twin of RATLIP.js's training step and sampling, for the side-by-side benchmark.

Builds the RATLIP architecture described by a resolved RATLIP.js config (paper-mode RAT: one LSTMCell
shared by the adapter's RAT affines with per-sample state; prompt tokens in the CLIP mapper; CLIP taps
for NetD; NetC; hinge losses, MA-GP by double backprop, the CLIP-similarity G loss; Adam betas from the
config), with random weights and random data, written from the behaviour described in
shared/spec/ratlip-reference.md. Runs warm-up + N training steps and M sampling batches and prints one
JSON object on stdout.

    python3 bench/torch/ratlip_tiny.py CONFIG.json [--steps 20] [--samples 20] [--threads 2]
                                                   [--batch N] [--channels-last]
"""

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def leaky(x, slope):
    return F.leaky_relu(x, slope)


# ---------------------------------------------------------------- frozen CLIP image tower


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class ResidualAttentionBlock(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.attn = nn.MultiheadAttention(width, heads)
        self.ln_1 = nn.LayerNorm(width, eps=1e-5)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), QuickGELU(), nn.Linear(4 * width, width))
        self.ln_2 = nn.LayerNorm(width, eps=1e-5)

    def forward(self, x):
        # x: [tokens, batch, width] (nn.MultiheadAttention's sequence-first layout).
        h = self.ln_1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.mlp(self.ln_2(x))


class VisionTower(nn.Module):
    """CLIP's VisionTransformer with RATLIP's mapper and tap hooks. Frozen: no parameter needs grad."""

    def __init__(self, vision):
        super().__init__()
        width = vision["width"]
        self.patch = vision["patchSize"]
        self.grid = vision["imageSize"] // self.patch
        self.width = width
        self.conv1 = nn.Conv2d(3, width, self.patch, self.patch, bias=False)
        scale = width ** -0.5
        self.class_embedding = nn.Parameter(scale * torch.randn(width))
        self.positional_embedding = nn.Parameter(scale * torch.randn(self.grid * self.grid + 1, width))
        self.ln_pre = nn.LayerNorm(width, eps=1e-5)
        self.blocks = nn.ModuleList(
            [ResidualAttentionBlock(width, vision["heads"]) for _ in range(vision["layers"])]
        )
        self.ln_post = nn.LayerNorm(width, eps=1e-5)
        self.proj = nn.Parameter(scale * torch.randn(width, vision["embedDim"]))
        for p in self.parameters():
            p.requires_grad_(False)

    def tokens(self, grid_map):
        b = grid_map.shape[0]
        x = grid_map.flatten(2).transpose(1, 2)  # [b, grid*grid, width], row-major
        cls = self.class_embedding.expand(b, 1, self.width)
        x = torch.cat([cls, x], 1) + self.positional_embedding
        return self.ln_pre(x).permute(1, 0, 2)  # [tokens, b, width]

    def to_grid(self, x):
        b = x.shape[1]
        return x[1:].permute(1, 2, 0).reshape(b, self.width, self.grid, self.grid)

    def map_features(self, feature_map, prompts, prompt_blocks):
        x = self.tokens(feature_map)
        count = x.shape[0]
        for i, block in enumerate(self.blocks):
            if i in prompt_blocks:
                p = prompts[:, prompt_blocks.index(i)].unsqueeze(0)
                x = block(torch.cat([x, p], 0))[:count]
            else:
                x = block(x)
        return self.to_grid(x)

    def encode_with_taps(self, pixels, taps):
        x = self.tokens(self.conv1(pixels))
        local = []
        for i, block in enumerate(self.blocks):
            x = block(x)
            if i in taps:
                local.append(self.to_grid(x))
        embedding = self.ln_post(x[0]) @ self.proj
        return torch.stack(local, 1), embedding


CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


def clip_input(images, size, quirk):
    if images.shape[-1] != size:
        images = F.interpolate(images, size=(size, size), mode="nearest")
    x = (images + 1) * 0.5
    if quirk == "ratlip":
        x = (x + 1) * 0.5
    mean = torch.tensor(CLIP_MEAN, dtype=x.dtype).view(1, 3, 1, 1)
    std = torch.tensor(CLIP_STD, dtype=x.dtype).view(1, 3, 1, 1)
    return (x - mean) / std


# ---------------------------------------------------------------- generator parts


class MlpHead(nn.Module):
    """Linear(in -> C) -> ReLU -> Linear(C -> C); the last layer starts at W = 0, b = `bias` (identity affine)."""

    def __init__(self, in_features, channels, bias):
        super().__init__()
        self.fc1 = nn.Linear(in_features, channels)
        self.fc2 = nn.Linear(channels, channels)
        nn.init.zeros_(self.fc2.weight)
        nn.init.constant_(self.fc2.bias, bias)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


class Affine(nn.Module):
    """DF-GAN affine: gamma/beta heads on the condition (plain) or on the shared RAT cell's state (recurrent)."""

    def __init__(self, in_features, channels):
        super().__init__()
        self.gamma = MlpHead(in_features, channels, 1.0)
        self.beta = MlpHead(in_features, channels, 0.0)

    def forward(self, x, source):
        return self.gamma(source)[:, :, None, None] * x + self.beta(source)[:, :, None, None]


class RatChain:
    """One forward pass's state of the shared LSTMCell (paper-mode RAT)."""

    def __init__(self, cell, cond):
        self.cell = cell
        self.cond = cond
        zeros = cond.new_zeros(cond.shape[0], cell.hidden_size)
        self.state = (zeros, zeros)

    def step(self):
        self.state = self.cell(self.cond, self.state)
        return self.state[0]


class DfBlock(nn.Module):
    def __init__(self, in_features, channels, recurrent):
        super().__init__()
        self.recurrent = recurrent
        self.affine0 = Affine(in_features, channels)
        self.affine1 = Affine(in_features, channels)

    def forward(self, x, cond, chain):
        src0 = chain.step() if self.recurrent else cond
        x = leaky(self.affine0(x, src0), 0.2)
        src1 = chain.step() if self.recurrent else cond
        return leaky(self.affine1(x, src1), 0.2)


class ShuffleAttention(nn.Module):
    def __init__(self, channels, groups=8):
        super().__init__()
        self.groups = groups
        half = channels // (2 * groups)
        self.cweight = nn.Parameter(torch.zeros(1, half, 1, 1))
        self.cbias = nn.Parameter(torch.ones(1, half, 1, 1))
        self.sweight = nn.Parameter(torch.zeros(1, half, 1, 1))
        self.sbias = nn.Parameter(torch.ones(1, half, 1, 1))
        self.gn = nn.GroupNorm(half, half, eps=1e-5)

    def forward(self, x):
        b, c, h, w = x.shape
        x = x.reshape(b * self.groups, c // self.groups, h, w)
        xc, xs = x.chunk(2, dim=1)
        xc = xc * torch.sigmoid(self.cweight * xc.mean((2, 3), keepdim=True) + self.cbias)
        xs = xs * torch.sigmoid(self.sweight * self.gn(xs) + self.sbias)
        out = torch.cat([xc, xs], 1).reshape(b, c, h, w)
        # Channel shuffle with 2 groups: output 2k + g = input g * C/2 + k.
        return out.reshape(b, 2, c // 2, h, w).transpose(1, 2).reshape(b, c, h, w)


class ConvShuffle(nn.Module):
    def __init__(self, cin, cout, k=3):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, 1, k // 2, bias=False)
        self.bn = nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1)
        self.se = ShuffleAttention(cout)

    def forward(self, x):
        return self.se(leaky(self.bn(self.conv(x)), 0.01))


class MBlock(nn.Module):
    def __init__(self, cin, mid, cout, hidden, k):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, mid, k, 1, k // 2)
        self.fuse1 = DfBlock(hidden, mid, True)
        self.conv2 = ConvShuffle(mid, cout, k)
        self.fuse2 = DfBlock(hidden, cout, True)
        self.c_sc = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, cond, chain):
        r = self.fuse1(self.conv1(x), cond, chain)
        r = self.fuse2(self.conv2(r), cond, chain)
        return (self.c_sc(x) if self.c_sc is not None else x) + r


class GBlock(nn.Module):
    def __init__(self, cin, cout, cond_dim, size):
        super().__init__()
        self.size = size
        self.fuse1 = DfBlock(cond_dim, cin, False)
        self.c1 = ConvShuffle(cin, cout)
        self.fuse2 = DfBlock(cond_dim, cout, False)
        self.c2 = ConvShuffle(cout, cout)
        self.c_sc = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, cond):
        x = F.interpolate(x, size=(self.size, self.size), mode="nearest")
        r = self.c2(self.fuse2(self.c1(self.fuse1(x, cond, None)), cond, None))
        return (self.c_sc(x) if self.c_sc is not None else x) + r


class NetG(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        g = cfg["generator"]
        clip = cfg["clip"]
        width = clip["vision"]["width"]
        self.noise_dim = g["noiseDim"]
        self.code_ch = g["codeChannels"]
        self.code = g["codeSize"]
        self.prompt_blocks = list(clip["promptBlocks"])
        self.mapper_scale = g["mapperScale"]
        self.width = width
        cond_dim = g["noiseDim"] + clip["text"]["embedDim"]
        hidden = g["rat"]["hiddenSize"]
        if g["rat"]["mode"] != "paper" or g["rat"]["initialState"] != "zeros":
            raise SystemExit("ratlip_tiny.py: only paper-mode RAT with zero initial state is implemented")
        self.fc_code = nn.Linear(g["noiseDim"], g["codeChannels"] * self.code * self.code)
        self.rat = nn.LSTMCell(cond_dim, hidden)
        self.m_blocks = nn.ModuleList(
            [
                MBlock(g["codeChannels"], g["midChannels"], g["codeChannels"], hidden, g["adapterKernel"])
                for _ in range(g["adapterBlocks"])
            ]
        )
        fk = g["fuseKernel"]
        self.conv_fuse = nn.Conv2d(g["codeChannels"], width, fk, 1, fk // 2)
        self.fc_prompt = nn.Linear(cond_dim, len(self.prompt_blocks) * width)
        first = g["blockChannels"][0][0]
        self.conv = nn.Conv2d(width, first, fk, 1, fk // 2)
        self.g_blocks = nn.ModuleList(
            [
                GBlock(cin, cout, cond_dim, size)
                for (cin, cout), size in zip(g["blockChannels"], g["blockSizes"])
            ]
        )
        self.to_rgb = nn.Conv2d(g["blockChannels"][-1][1], cfg["imageChannels"], 3, 1, 1)

    def forward(self, z, s, vision):
        b = z.shape[0]
        cond = torch.cat([z, s], 1)
        h = self.fc_code(z).view(b, self.code_ch, self.code, self.code)
        chain = RatChain(self.rat, cond)
        for block in self.m_blocks:
            h = block(h, cond, chain)
        fused = self.conv_fuse(h)
        prompts = self.fc_prompt(cond).view(b, len(self.prompt_blocks), self.width)
        mapped = vision.map_features(fused, prompts, self.prompt_blocks)
        h = self.conv(fused + self.mapper_scale * mapped)
        for block in self.g_blocks:
            h = block(h, cond)
        return self.to_rgb(leaky(h, 0.2))


# ---------------------------------------------------------------- discriminator


class DBlock(nn.Module):
    def __init__(self, cin, cout, gamma=True, beta=True):
        super().__init__()
        self.conv_r0 = nn.Conv2d(cin, cout, 3, 1, 1, bias=False)
        self.conv_r2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        # The official block always builds conv_s; it is applied only when in != out.
        self.conv_s = nn.Conv2d(cin, cout, 1)
        self.learned = cin != cout
        self.gamma = nn.Parameter(torch.zeros(1)) if gamma else None
        self.beta = nn.Parameter(torch.zeros(1)) if beta else None

    def forward(self, x, clip_feat=None):
        out = self.conv_s(x) if self.learned else x
        res = leaky(self.conv_r2(leaky(self.conv_r0(x), 0.2)), 0.2)
        out = out + self.gamma * res
        if self.beta is not None:
            out = out + self.beta * clip_feat
        return out


class NetD(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        width = cfg["clip"]["vision"]["width"]
        taps = len(cfg["clip"]["tapBlocks"])
        self.blocks = nn.ModuleList([DBlock(width, width) for _ in range(taps - 1)])
        self.main = DBlock(width, cfg["discriminator"]["outChannels"], beta=False)

    def forward(self, h):
        out = h[:, 0]
        for i, block in enumerate(self.blocks):
            out = block(out, h[:, i + 1])
        return self.main(out)


class NetC(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg["discriminator"]
        k1, k2 = d["netCKernels"]
        cin = d["outChannels"] + cfg["clip"]["text"]["embedDim"]
        self.joint0 = nn.Conv2d(cin, d["netCHiddenChannels"], k1, 1, 0, bias=False)
        self.joint2 = nn.Conv2d(d["netCHiddenChannels"], 1, k2, 1, 0, bias=False)

    def forward(self, out, s):
        b, _, h, w = out.shape
        tiled = s.view(b, -1, 1, 1).expand(b, s.shape[1], h, w)
        return self.joint2(leaky(self.joint0(torch.cat([out, tiled], 1)), 0.2))


def count(module):
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


# ---------------------------------------------------------------- training step and sampling


class Runner:
    def __init__(self, cfg, batch, channels_last):
        self.cfg = cfg
        self.batch = batch
        self.memory_format = torch.channels_last if channels_last else torch.contiguous_format
        clip = cfg["clip"]
        self.vision = VisionTower(clip["vision"]).eval()
        self.net_g = NetG(cfg)
        self.net_d = NetD(cfg)
        self.net_c = NetC(cfg)
        for m in (self.net_g, self.net_d, self.net_c):
            m.to(memory_format=self.memory_format)
        t = cfg["training"]
        betas = (t["beta1"], t["beta2"])
        self.opt_g = torch.optim.Adam(self.net_g.parameters(), lr=t["learningRateG"], betas=betas, eps=t["epsilon"])
        self.opt_d = torch.optim.Adam(
            list(self.net_d.parameters()) + list(self.net_c.parameters()),
            lr=t["learningRateD"],
            betas=betas,
            eps=t["epsilon"],
        )
        size = cfg["imageSize"]
        self.images = (torch.rand(batch, cfg["imageChannels"], size, size) * 2 - 1).to(
            memory_format=self.memory_format
        )
        self.sentences = torch.randn(batch, clip["text"]["embedDim"])
        self.noise_dim = cfg["generator"]["noiseDim"]
        self.quirk = clip["inputQuirk"]
        self.taps = list(clip["tapBlocks"])

    def encode(self, images):
        pixels = clip_input(images, self.cfg["clip"]["vision"]["imageSize"], self.quirk)
        return self.vision.encode_with_taps(pixels, self.taps)

    def step(self, timings=None):
        t = self.cfg["training"]
        s = self.sentences
        mark = time.perf_counter()
        self.net_g.train()
        with torch.no_grad():
            real_features, _ = self.encode(self.images)
        z = torch.randn(self.batch, self.noise_dim)
        fake = self.net_g(z, s, self.vision)
        fake_features, fake_emb = self.encode(fake)
        forward_done = time.perf_counter()
        # D step: hinge on real / mismatched / fake plus MA-GP on (real CLIP features, sentence).
        real_features.requires_grad_(True)
        s_grad = s.clone().requires_grad_(True)
        out_real = self.net_d(real_features)
        pred_real = self.net_c(out_real, s_grad)
        err_real = F.relu(1.0 - pred_real).mean()
        err_mis = F.relu(1.0 + self.net_c(out_real, torch.roll(s, -1, 0))).mean()
        err_fake = F.relu(1.0 + self.net_c(self.net_d(fake_features.detach()), s)).mean()
        grads = torch.autograd.grad(pred_real, (real_features, s_grad), torch.ones_like(pred_real), create_graph=True)
        g = torch.cat([grads[0].reshape(self.batch, -1), grads[1].reshape(self.batch, -1)], 1)
        ma_gp = t["maGpWeight"] * torch.mean(g.norm(2, dim=1) ** t["maGpPower"])
        err_d = err_real + (err_fake + err_mis) / 2.0 + ma_gp
        self.opt_d.zero_grad(set_to_none=True)
        err_d.backward()
        self.opt_d.step()
        d_done = time.perf_counter()
        # G step on the same fake with the updated D.
        pred = self.net_c(self.net_d(fake_features), s)
        cos = F.cosine_similarity(fake_emb, s, dim=1).mean()
        err_g = -pred.mean() - t["clipLossWeight"] * cos
        g_params = [p for p in self.net_g.parameters()]
        grads_g = torch.autograd.grad(err_g, g_params)
        for p, gr in zip(g_params, grads_g):
            p.grad = gr
        self.opt_g.step()
        done = time.perf_counter()
        if timings is not None:
            timings.append(
                {
                    "forwardMs": (forward_done - mark) * 1e3,
                    "dStepMs": (d_done - forward_done) * 1e3,
                    "gStepMs": (done - d_done) * 1e3,
                }
            )
        return float(err_d), float(err_g)

    def sample(self):
        self.net_g.eval()
        with torch.no_grad():
            z = torch.randn(self.batch, self.noise_dim)
            out = self.net_g(z, self.sentences, self.vision).clamp(-1, 1)
            return torch.nan_to_num(out)


def median_ms(samples):
    return round(statistics.median(samples) * 1e3, 2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", help="resolved RATLIP.js config JSON ('-' for stdin)")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=0, help="default: config training.batchSize")
    parser.add_argument("--channels-last", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    cfg = json.load(sys.stdin if args.config == "-" else open(args.config))
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    batch = args.batch or cfg["training"]["batchSize"]
    runner = Runner(cfg, batch, args.channels_last)

    for _ in range(args.warmup):
        runner.step()
    step_times, phases = [], []
    for _ in range(args.steps):
        start = time.perf_counter()
        runner.step(phases)
        step_times.append(time.perf_counter() - start)
    for _ in range(args.warmup):
        runner.sample()
    sample_times = []
    for _ in range(args.samples):
        start = time.perf_counter()
        runner.sample()
        sample_times.append(time.perf_counter() - start)
    sample_ms = median_ms(sample_times)
    phase_median = {k: round(statistics.median(p[k] for p in phases), 2) for k in phases[0]}
    allocator_env = {
        k: v
        for k, v in os.environ.items()
        if k.startswith(("MALLOC_", "PYTORCH_", "LD_PRELOAD", "OMP_", "MKL_", "GLIBC_TUNABLES"))
    }
    result = {
        "framework": "pytorch",
        "torch": torch.__version__,
        "python": platform.python_version(),
        "threads": torch.get_num_threads(),
        "interopThreads": torch.get_num_interop_threads(),
        "memoryFormat": "channels_last" if args.channels_last else "contiguous (NCHW)",
        "allocator": {
            "cpuAllocator": "default c10 CPU allocator (glibc malloc)",
            "mkldnn": torch.backends.mkldnn.is_available(),
            "openmp": torch.backends.openmp.is_available(),
            "env": allocator_env,
        },
        "parallelInfo": torch.__config__.parallel_info().splitlines()[:6],
        "batchSize": batch,
        "steps": args.steps,
        "samples": args.samples,
        "trainStepMs": {
            "median": median_ms(step_times),
            "min": round(min(step_times) * 1e3, 2),
            "phasesMedian": phase_median,
        },
        "sampleMs": {"median": sample_ms, "min": round(min(sample_times) * 1e3, 2)},
        "imagesPerSecond": round(batch / (sample_ms / 1e3), 1),
        "peakRssMb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "parameterCounts": {
            "generator": count(runner.net_g),
            "discriminator": count(runner.net_d) + count(runner.net_c),
            "clipVisionFrozen": sum(p.numel() for p in runner.vision.parameters()),
        },
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
