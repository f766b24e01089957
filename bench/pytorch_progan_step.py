#!/usr/bin/env python3
"""Optional side-by-side timing: the same ProGAN iteration as bench_progan_step, in PyTorch.

Nothing in the build or tests depends on this script (DESIGN.md allows this one exception). It needs
Debian's python3-torch (PyTorch 1.13 with oneDNN) and runs on the CPU with 2 threads:

    /usr/bin/python3 bench/pytorch_progan_step.py
    /usr/bin/python3 bench/pytorch_progan_step.py --whole-run   # as bench_progan_step's BM_ProganRun

One iteration = a discriminator step with the exact WGAN-GP loss (D on reals, fakes and mixes, the
input gradient with create_graph, the double backward into D's weights, Adam), the EMA update of Gs,
and a generator step; batch 16, 3 channels, fmap_base 2048, fmap_max 256. The networks mirror
nets/progan.cpp: equalized learning rate, pixel norm, minibatch stddev (group 4), leaky ReLU 0.2,
the official fused_scale: G's conv0_up (nearest upsample and 3x3 conv) as one stride-2 transposed 4x4
convolution, D's conv1_down (3x3 conv and 2x2 average pool) as one stride-2 4x4 convolution.

--whole-run: a whole short run as BM_ProganRun trains it: 1 channel, fmap_base 512, fmap_max 128,
batch 16, 4x4 to 32x32 with 500 images per phase, rounds of 4 iterations that re-read the schedule,
both Adams reset when a fade begins or ends, reals drawn from 256 fixed random images, box-downscaled
to the level and blended during a fade; prints images/s.
"""
import argparse
import math
import sys
import time

import torch
import torch.nn.functional as F

BATCH = 16


class Net:
    def __init__(self, channels, fmap_base, fmap_max):
        self.channels, self.fmap_base, self.fmap_max = channels, fmap_base, fmap_max

    def nf(self, stage):
        return min(self.fmap_base >> stage, self.fmap_max)


STEP_NET = Net(channels=3, fmap_base=2048, fmap_max=256)
RUN_NET = Net(channels=1, fmap_base=512, fmap_max=128)


class EqConv(torch.nn.Module):
    def __init__(self, cin, cout, k, gain=math.sqrt(2), down=False, up=False):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(cout, cin, k, k))
        self.bias = torch.nn.Parameter(torch.zeros(cout))
        self.scale, self.k, self.down, self.up = gain / math.sqrt(cin * k * k), k, down, up

    def forward(self, x):
        w = self.weight * self.scale
        if self.down or self.up:
            w = F.pad(w, (1, 1, 1, 1))
            w = w[:, :, 1:, 1:] + w[:, :, :-1, 1:] + w[:, :, 1:, :-1] + w[:, :, :-1, :-1]
        if self.down:  # conv3x3 then 2x2 average pool, as one stride-2 4x4 convolution
            return F.conv2d(x, w * 0.25, self.bias, stride=2, padding=1)
        if self.up:  # nearest upsample then conv3x3, as one stride-2 transposed 4x4 convolution
            return F.conv_transpose2d(x, w.flip(2, 3).transpose(0, 1), self.bias, stride=2, padding=1)
        return F.conv2d(x, w, self.bias, padding=self.k // 2)


class EqLinear(torch.nn.Module):
    def __init__(self, cin, cout, gain=math.sqrt(2)):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(cout, cin))
        self.bias = torch.nn.Parameter(torch.zeros(cout))
        self.scale = gain / math.sqrt(cin)

    def forward(self, x):
        return F.linear(x, self.weight * self.scale, self.bias)


def lrelu(x):
    return F.leaky_relu(x, 0.2)


def pixel_norm(x):
    return x * torch.rsqrt(x.pow(2).mean(dim=1, keepdim=True) + 1e-8)


def minibatch_stddev(x, group=4):
    n, c, h, w = x.shape
    g = min(group, n)
    y = x.reshape(g, n // g, c, h, w)
    y = (y - y.mean(dim=0)).pow(2).mean(dim=0).add(1e-8).sqrt().mean(dim=(1, 2, 3))
    y = y.reshape(1, n // g, 1, 1, 1).expand(g, n // g, 1, h, w).reshape(n, 1, h, w)
    return torch.cat([x, y], dim=1)


class Generator(torch.nn.Module):
    def __init__(self, net, top):
        super().__init__()
        nf = net.nf
        self.latent = nf(0)
        self.dense = EqLinear(self.latent, 16 * nf(1), gain=math.sqrt(2) / 4)
        self.conv4 = EqConv(nf(1), nf(1), 3)
        self.blocks = torch.nn.ModuleList(
            [torch.nn.ModuleList([EqConv(nf(l - 2), nf(l - 1), 3, up=True), EqConv(nf(l - 1), nf(l - 1), 3)])
             for l in range(3, top + 1)])
        self.torgb = torch.nn.ModuleList([EqConv(nf(l - 1), net.channels, 1, gain=1) for l in range(2, top + 1)])
        self.top_features = nf(1)

    def forward(self, z, level, alpha):
        x = pixel_norm(lrelu(self.dense(pixel_norm(z)).reshape(-1, self.top_features, 4, 4)))
        x = pixel_norm(lrelu(self.conv4(x)))
        prev = x
        for l in range(3, level + 1):
            prev = x
            c0, c1 = self.blocks[l - 3]
            x = pixel_norm(lrelu(c0(x)))
            x = pixel_norm(lrelu(c1(x)))
        new = self.torgb[level - 2](x)
        if alpha >= 1:
            return new
        old = F.interpolate(self.torgb[level - 3](prev), scale_factor=2, mode="nearest")
        return torch.lerp(old, new, alpha)


class Discriminator(torch.nn.Module):
    def __init__(self, net, top):
        super().__init__()
        nf = net.nf
        self.fromrgb = torch.nn.ModuleList([EqConv(net.channels, nf(l - 1), 1) for l in range(2, top + 1)])
        self.blocks = torch.nn.ModuleList(
            [torch.nn.ModuleList([EqConv(nf(l - 1), nf(l - 1), 3), EqConv(nf(l - 1), nf(l - 2), 3, down=True)]) for l in range(3, top + 1)])
        self.conv4 = EqConv(nf(1) + 1, nf(1), 3)
        self.dense0 = EqLinear(nf(1) * 16, nf(0))
        self.dense1 = EqLinear(nf(0), 1, gain=1)

    def forward(self, img, level, alpha):
        x = lrelu(self.fromrgb[level - 2](img))
        for l in range(level, 2, -1):
            c0, c1 = self.blocks[l - 3]
            x = lrelu(c1(lrelu(c0(x))))
            if l == level and alpha < 1:
                old = lrelu(self.fromrgb[level - 3](F.avg_pool2d(img, 2)))
                x = torch.lerp(old, x, alpha)
        x = lrelu(self.conv4(minibatch_stddev(x)))
        return self.dense1(lrelu(self.dense0(x.flatten(1))))


def iteration(G, Gs, D, opt_g, opt_d, level, alpha, real):
    with torch.no_grad():
        fake = G(torch.randn(BATCH, G.latent), level, alpha)
    d_real, d_fake = D(real, level, alpha), D(fake, level, alpha)
    u = torch.rand(BATCH, 1, 1, 1)
    mixed = torch.lerp(real, fake, u).requires_grad_(True)
    grad = torch.autograd.grad(D(mixed, level, alpha).sum(), mixed, create_graph=True)[0]
    penalty = (grad.flatten(1).norm(dim=1) - 1).pow(2)
    d_loss = (d_fake.squeeze(1) - d_real.squeeze(1) + 10 * penalty + 0.001 * d_real.squeeze(1).pow(2)).mean()
    opt_d.zero_grad(set_to_none=True)
    d_loss.backward()
    opt_d.step()
    with torch.no_grad():
        for ps, p in zip(Gs.parameters(), G.parameters()):
            ps.lerp_(p, 0.001)
    g_loss = -D(G(torch.randn(BATCH, G.latent), level, alpha), level, alpha).mean()
    opt_g.zero_grad(set_to_none=True)
    g_loss.backward()
    opt_g.step()


def networks(net, level):
    G, D, Gs = Generator(net, level), Discriminator(net, level), Generator(net, level)
    Gs.load_state_dict(G.state_dict())
    return G, Gs, D


def adams(G, D):
    return (torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.0, 0.99), eps=1e-8),
            torch.optim.Adam(D.parameters(), lr=1e-3, betas=(0.0, 0.99), eps=1e-8))


def per_iteration():
    for res in (16, 32, 64):
        for alpha in (1.0, 0.5):
            level = int(math.log2(res))
            G, Gs, D = networks(STEP_NET, level)
            opt_g, opt_d = adams(G, D)
            real = lambda: torch.randn(BATCH, STEP_NET.channels, res, res)
            iteration(G, Gs, D, opt_g, opt_d, level, alpha, real())  # warm-up
            times = []
            while sum(times) < 2.0 or len(times) < 2:
                start = time.perf_counter()
                iteration(G, Gs, D, opt_g, opt_d, level, alpha, real())
                times.append(time.perf_counter() - start)
            times.sort()
            print(f"res {res:3d} alpha {alpha:.2f}: {1000 * times[len(times) // 2]:8.0f} ms/iteration (median of {len(times)})")
            sys.stdout.flush()


def schedule(images, per_phase, final_level):
    """(level, alpha, lod) after `images` shown: stabilize 4x4, then fade in and stabilize each level."""
    phase, into = divmod(images, per_phase)
    level = min(2 + (phase + 1) // 2, final_level)
    fading = phase % 2 == 1 and phase < 2 * (final_level - 2)
    alpha = into / per_phase if fading else 1.0
    return level, alpha, (final_level - level) + (1 - alpha if fading else 0)


def whole_run(per_phase=500, final_level=5, repeats=4):
    G, Gs, D = networks(RUN_NET, final_level)
    opt_g, opt_d = adams(G, D)
    data = (torch.randint(0, 256, (256, RUN_NET.channels, 1 << final_level, 1 << final_level)).float() / 127.5 - 1)
    end, shown, previous_lod = (2 * (final_level - 2) + 1) * per_phase, 0, None
    start = time.perf_counter()
    while shown < end:
        level, alpha, lod = schedule(shown, per_phase, final_level)
        if previous_lod is not None and (math.floor(lod) != math.floor(previous_lod) or math.ceil(lod) != math.ceil(previous_lod)):
            opt_g, opt_d = adams(G, D)
        previous_lod = lod
        for _ in range(repeats):
            real = data[torch.randint(0, data.shape[0], (BATCH,))]
            for _ in range(final_level - level):
                real = F.avg_pool2d(real, 2)
            if alpha < 1:
                real = torch.lerp(F.interpolate(F.avg_pool2d(real, 2), scale_factor=2, mode="nearest"), real, alpha)
            iteration(G, Gs, D, opt_g, opt_d, level, alpha, real)
            shown += BATCH
    seconds = time.perf_counter() - start
    print(f"whole run: {shown} images in {seconds:.1f} s, {shown / seconds:.1f} images/s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--whole-run", action="store_true", help="time a whole short run instead of single iterations")
    args = parser.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(1)
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads, oneDNN {torch.backends.mkldnn.is_available()}")
    if args.whole_run:
        whole_run()
    else:
        per_iteration()


if __name__ == "__main__":
    main()
