"""Benchmark: `affectnb.clcl.batched_kmeans` against a Python loop of scikit-learn `KMeans` calls.

The shapes are CLCL's: CLFM clusters the 512 channels (16-d hash codes) of every image of a batch into K=4
semantics (64 images here; 256 with the paper's batch), CLBS the images of one batch (256 vectors) into K=7.
Both sides get the same data, k-means++ initialisation, one run (n_init=1), Lloyd iterations, the same
`max_iter` and `tol`, and the same number of threads (torch.set_num_threads / threadpoolctl); each timing is the
best of `--repeats` runs, the two measured alternately. The mean inertia of both is printed too, so a speed-up
cannot come from stopping early.

    python bench/bench_kmeans.py [--threads 1] [--repeats 5] [--max-iter 20 300] [--device cpu]
"""
import argparse, platform, sys, time
from pathlib import Path
import numpy as np
import torch, torch.nn.functional as F
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # the checkout, installed or not
from affectnb.clcl import batched_kmeans, hash_coding, kmeans_inertia


def clfm_codes(P, C=512, side=7, grid=4, seed=0):
    "Realistic CLFM inputs: hash codes (top-2 of a 4x4 grid) of random ReLU maps, (P, C, 16)."
    g = torch.Generator().manual_seed(seed)
    f = F.relu(torch.randn(P, C, side, side, generator=g) + 0.5*torch.randn(P, 1, side, side, generator=g))
    a = F.adaptive_avg_pool2d(F.avg_pool2d(f, 3, 1, 1, count_include_pad=False), grid)
    return hash_coding(a, 2)


def best_of(f, repeats):
    ts = []
    for _ in range(repeats):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return min(ts)


def run_case(name, x, k, max_iter, repeats, device):
    xn = x.numpy().astype(np.float32)
    xd = x.to(device)
    sync = (lambda: torch.cuda.synchronize()) if xd.is_cuda else (lambda: None)
    def ours():
        r = batched_kmeans(xd, k, iters=max_iter, seed=0, tol=1e-4); sync(); return r
    def sk():
        return [KMeans(k, init='k-means++', n_init=1, max_iter=max_iter, tol=1e-4, algorithm='lloyd',
                       random_state=p).fit(xn[p]) for p in range(len(xn))]
    ours(); sk()                                                     # warm-up
    t_ours = t_sk = float('inf')
    for _ in range(repeats):                                         # alternate the two, keep the best of each
        t_ours = min(t_ours, best_of(ours, 1)); t_sk = min(t_sk, best_of(sk, 1))
    c, a = ours()
    in_ours = kmeans_inertia(xd, c, a).mean().item()
    in_sk = float(np.mean([m.inertia_ for m in sk()]))
    P, N, D = x.shape
    print(f"{name:<34} {P:>4} x {N:>4} x {D:>3}  k={k}  iter<={max_iter:<4} ours {t_ours*1e3:8.1f} ms   "
          f"sklearn loop {t_sk*1e3:8.1f} ms   ratio {t_sk/t_ours:6.1f}x   inertia ours/sklearn {in_ours/in_sk:.3f}")
    return t_sk/t_ours


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--threads', type=int, nargs='+', default=[1, 2])
    ap.add_argument('--repeats', type=int, default=5)
    ap.add_argument('--max-iter', type=int, nargs='+', default=[20, 300])
    ap.add_argument('--device', default='cpu')
    args = ap.parse_args()
    print(f"torch {torch.__version__}, {platform.processor() or platform.machine()}, device {args.device}")
    g = torch.Generator().manual_seed(0)
    cases = [('CLFM hash codes (64 images)', clfm_codes(64), 4),
             ('CLFM hash codes (256 images)', clfm_codes(256, seed=1), 4),
             ('CLFM-shaped uniform noise', torch.rand(64, 512, 16, generator=g), 4),
             ('CLBS batch (256 x 512, GAP)', F.relu(torch.randn(1, 256, 512, generator=g)), 7),
             ('CLBS batch (256 x 128, fd_bs)', F.relu(torch.randn(1, 256, 128, generator=g)), 7)]
    for n in args.threads:
        torch.set_num_threads(n)
        print(f"\n== {n} thread(s) for both (torch.set_num_threads, threadpoolctl) ==")
        with threadpool_limits(n):
            for it in args.max_iter:
                for name, x, k in cases: run_case(name, x, k, it, args.repeats, args.device)


if __name__ == '__main__':
    main()
