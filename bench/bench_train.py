"""Throughput of `affectnb.train.Trainer.fit` against a bare PyTorch loop on the same model, data and optimiser (CPU).

Usage: python bench/bench_train.py [--steps 40] [--repeats 9] [--img 32] [--width 16] [--batch 64] [--threads 1]
Prints images/s of each (interleaved repeats, alternating which runs first) and the ratio trainer / bare, the
median over the repeats of each back-to-back pair's ratio (robust to a shared, noisy machine; target >= 0.9).
One torch thread by default: on a shared 2-core machine two threads thrash and swamp the comparison."""
import argparse, copy, json, os, statistics, sys, time
from pathlib import Path
import torch, torch.nn as nn, torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from affectnb.train import Trainer, Supervised

def make_model(width, n_classes=7):
    "affectnb's ResNet-18 (width-scaled) if present, else torchvision's resnet18."
    try:
        from affectnb.backbones import ResNet18
        return ResNet18(num_classes=n_classes, width=width), f'affectnb ResNet18(width={width})'
    except ImportError:
        import torchvision
        return torchvision.models.resnet18(num_classes=n_classes), 'torchvision resnet18 (width 64)'

def make_loader(n, img, batch):
    "The same in-memory data for both loops: affectnb FastLoader if present, else a minimal equivalent."
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 256, (n, 3, img, img), generator=g, dtype=torch.uint8); y = torch.randint(0, 7, (n,), generator=g)
    try:
        from affectnb.datasets import FastLoader
        return FastLoader(x, y, batch_size=batch, shuffle=True, seed=0, drop_last=True), 'FastLoader'
    except ImportError:
        class L:
            def __len__(self): return n // batch
            def __iter__(self):
                p = torch.randperm(n)
                for i in range(len(self)):
                    j = p[i * batch:(i + 1) * batch]; yield x[j].float().div_(255), y[j]
        return L(), 'minimal in-memory loader'

def bare(model, loader, lr):
    "The reference: a hand-written loop with the same optimiser (Adam) and a constant learning rate."
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    model.train(); n = 0
    t0 = time.perf_counter()
    for x, y in loader:
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward(); opt.step(); n += x.shape[0]
    return n / (time.perf_counter() - t0)

def trainer(model, loader, lr):
    "`Trainer.fit` for one epoch of the same steps (NaN checks, schedule, logs and the history included)."
    t = Trainer(model, Supervised(), preset='ci', device='cpu', optimizer='adam', lr=lr, schedule='const',
                epochs=1, progress=False, seed=None)
    t0 = time.perf_counter()
    h = t.fit(loader)
    return h[0]["images_per_s"], len(loader) * loader_batch(loader) / (time.perf_counter() - t0)

def loader_batch(loader): return getattr(loader, 'batch_size', None) or next(iter(loader))[0].shape[0]

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--steps', type=int, default=40); ap.add_argument('--repeats', type=int, default=9)
    ap.add_argument('--img', type=int, default=32); ap.add_argument('--width', type=int, default=16)
    ap.add_argument('--batch', type=int, default=64); ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--threads', type=int, default=1, help='torch threads (0: leave as is)')
    a = ap.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model0, mname = make_model(a.width)
    loader, lname = make_loader(a.steps * a.batch, a.img, a.batch)
    print(f"model {mname}, {a.img}px, batch {a.batch}, {a.steps} steps, {lname}, Adam lr {a.lr}, "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    warm = [next(iter(loader))] * 5
    bare(copy.deepcopy(model0), warm, a.lr); trainer(copy.deepcopy(model0), warm, a.lr)   # warm-up (allocator, kernels)
    res = {'bare': [], 'trainer': [], 'trainer_wall': []}
    for r in range(a.repeats):                                 # interleaved, alternating which goes first
        order = ('bare', 'trainer') if r % 2 == 0 else ('trainer', 'bare')
        for k in order:
            if k == 'bare': res['bare'].append(bare(copy.deepcopy(model0), loader, a.lr))
            else:
                ips, wall = trainer(copy.deepcopy(model0), loader, a.lr)
                res['trainer'].append(ips); res['trainer_wall'].append(wall)
        print(f"repeat {r}: bare {res['bare'][-1]:.1f} img/s, trainer {res['trainer'][-1]:.1f} img/s "
              f"(fit wall-clock incl. setup {res['trainer_wall'][-1]:.1f} img/s)")
    b, t = (statistics.median(res[k]) for k in ('bare', 'trainer'))
    ratio = statistics.median(x / y for x, y in zip(res['trainer'], res['bare']))
    ratio_w = statistics.median(x / y for x, y in zip(res['trainer_wall'], res['bare']))
    print(f"median: bare {b:.1f} img/s, trainer {t:.1f} img/s; median paired ratio trainer/bare {ratio:.3f} "
          f"(whole fit incl. setup: {ratio_w:.3f}); target >= 0.9")
    print(json.dumps(dict(bare_img_s=b, trainer_img_s=t, ratio=ratio, ratio_with_setup=ratio_w, model=mname,
                          img=a.img, batch=a.batch, steps=a.steps, repeats=a.repeats, threads=torch.get_num_threads())))

if __name__ == '__main__':
    main()
