"""The cost of one RAO step (LSEF Sec. III-D, Alg. 1) against one plain AdamW step, on the same model and batch.

RAO, like SAM, needs two forward-backward passes per step (at W and at the perturbed W'), so its floor is about
2x a plain step; on top of that it computes Eq. (13)'s structural sensitivities, one SVD per parameter tensor
(batched per matrix shape), every `sensitivity_every` steps. This script times, side by side in one run
(interleaved rounds, the median of each), on the same model, batch and one torch thread:

* **adamw**: forward, loss, backward, AdamW step;
* **sam**: `RAO(alpha=0, beta=0)`, i.e. SAM (no sensitivities at all): the two-pass floor;
* **rao k=1**: `RAO(sensitivity_every=1)`, the paper (SVDs every step);
* **rao k=10**: `RAO(sensitivity_every=10)` (SVDs every tenth step);
* **svd**: Eq. (13) alone for every tensor of the model (what k=1 adds to every step).

It prints the median ms/step of each and the median over rounds of each round's ratio to adamw (and to sam). The model is `affectnb.x3d.X3D(size='xs', num_classes=7)` on 8
frames of 64 px (batch 4) when `affectnb.x3d` exists, else a small X3D-like 3D conv net (depthwise-separable 3D
blocks with BatchNorm, ~0.4 M parameters); `--model small` forces the latter.

    python bench/bench_rao.py [--threads 1] [--batch 4] [--frames 8] [--size 64] [--repeats 5] [--steps 10] [--model auto|x3d|small]
"""
import argparse, statistics, sys, time
from pathlib import Path
import torch, torch.nn as nn, torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from affectnb.rao import RAO, keep_running_stats, _rank_ratios, _sparsity_ratios

def _block(cin, cout, stride):
    "An X3D-like bottleneck: 1x1x1 expand, 3x3x3 depthwise, 1x1x1 project, BatchNorm after each."
    mid = 2 * cout
    return nn.Sequential(nn.Conv3d(cin, mid, 1, bias=False), nn.BatchNorm3d(mid), nn.ReLU(inplace=True),
                         nn.Conv3d(mid, mid, 3, stride=(1, stride, stride), padding=1, groups=mid, bias=False),
                         nn.BatchNorm3d(mid), nn.ReLU(inplace=True),
                         nn.Conv3d(mid, cout, 1, bias=False), nn.BatchNorm3d(cout))

class Small3D(nn.Module):
    "A small X3D-like 3D conv net (stem, 4 stages of depthwise-separable blocks, pooled linear head)."
    def __init__(self, num_classes=7, widths=(24, 48, 96, 192)):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv3d(3, widths[0], (1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1), bias=False),
                                  nn.BatchNorm3d(widths[0]), nn.ReLU(inplace=True))
        layers, c = [], widths[0]
        for w in widths: layers += [_block(c, w, 2), nn.ReLU(inplace=True), _block(w, w, 1), nn.ReLU(inplace=True)]; c = w
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(c, num_classes)
    def forward(self, x): return self.head(self.body(self.stem(x)).mean((2, 3, 4)))

def make_model(kind):
    if kind in ('auto', 'x3d'):
        try:
            from affectnb.x3d import X3D
            return X3D(size='xs', num_classes=7), "affectnb.x3d.X3D(size='xs')"
        except ImportError:
            if kind == 'x3d': raise
    return Small3D(), 'Small3D (X3D-like stand-in: affectnb.x3d not found or --model small)'

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--threads', type=int, default=1); ap.add_argument('--batch', type=int, default=4)
    ap.add_argument('--frames', type=int, default=8); ap.add_argument('--size', type=int, default=64)
    ap.add_argument('--repeats', type=int, default=5); ap.add_argument('--steps', type=int, default=10)
    ap.add_argument('--model', default='auto', choices=('auto', 'x3d', 'small'))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net, name = make_model(a.model)
    x = torch.randn(a.batch, 3, a.frames, a.size, a.size); y = torch.randint(0, 7, (a.batch,))
    params = [p for p in net.parameters() if p.requires_grad]
    mats = sum(p.ndim >= 1 for p in params)
    print(f"torch {torch.__version__}, {a.threads} thread(s); {name}: {sum(p.numel() for p in params)/1e6:.2f} M parameters "
          f"in {len(params)} tensors ({mats} non-scalar); input {a.batch} x 3 x {a.frames} x {a.size} x {a.size}")
    # every variant trains the same model with lr = 0 (identical weights and batch for all; the cost is unchanged)
    adamw = torch.optim.AdamW(params, lr=0.0)
    def plain():
        adamw.zero_grad(set_to_none=True); F.cross_entropy(net(x), y).backward(); adamw.step()
    def closure():
        loss = F.cross_entropy(net(x), y); loss.backward(); return loss
    opts = {'sam': RAO(params, torch.optim.AdamW, lr=0.0, alpha=0.0, beta=0.0),
            'rao k=1': RAO(params, torch.optim.AdamW, lr=0.0, sensitivity_every=1),
            'rao k=10': RAO(params, torch.optim.AdamW, lr=0.0, sensitivity_every=10)}
    def svd_only():
        with torch.no_grad(): _rank_ratios(params, [1e-2] * len(params)); _sparsity_ratios(params, [1e-3] * len(params))
    fns = {'adamw': plain, **{k: (lambda o=o: o.step(closure, model=net)) for k, o in opts.items()}, 'svd': svd_only}
    for f in fns.values(): f()                                   # warm-up
    names, t = list(fns), {k: [] for k in fns}
    for r in range(a.repeats):                                  # interleaved rounds, the order rotated every round
        for k in names[r % len(names):] + names[:r % len(names)]:
            t0 = time.perf_counter()
            for _ in range(a.steps): fns[k]()
            t[k].append((time.perf_counter() - t0) / a.steps)
    # the median over rounds of each round's ratio (robust to a shared, noisy machine), and the median times
    ratio = {k: statistics.median(v / b for v, b in zip(t[k], t['adamw'])) for k in names}
    med = {k: statistics.median(v) for k, v in t.items()}
    for k in names:
        print(f"  {k:9s} {med[k]*1e3:8.1f} ms/step   ratio to adamw {ratio[k]:5.2f}")
    rs = lambda k: statistics.median(v / s for v, s in zip(t[k], t['sam']))
    print(f"RAO k=1 / SAM floor: {rs('rao k=1'):.2f};  RAO k=10 / SAM floor: {rs('rao k=10'):.2f};  "
          f"SVDs (Eq. 13 for all tensors) = {100*med['svd']/med['rao k=1']:.0f}% of an RAO k=1 step")

if __name__ == '__main__': main()
