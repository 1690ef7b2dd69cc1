"""Benchmark: `affectnb.hog.HOG` against a Python loop of `skimage.feature.hog` calls.

Both get the same SynthAffect faces (uint8, `--n` images at each of `--sizes` pixels). skimage's `hog` runs on every
image and every channel (9 orientations, 8x8-pixel cells, 1x1-cell blocks, block_norm='L2'); our operator, configured
to the same quantities (`HOG.like_skimage()`), runs on the whole batch at once. The largest difference between the two
outputs is printed, so a speed-up cannot come from computing something else. MaskFeat's configuration (`HOG()`: Sobel
kernel, 16-pixel Gaussian window) is timed beside it against the same skimage loop.

Each timing is the best of `--repeats`, the skimage loop and ours measured alternately; ours under each torch thread
count in `--threads` (the skimage loop is single-threaded numpy/Cython whatever the setting, and is timed once per
repeat). Ratio = skimage loop time / our time.

    python bench/bench_hog.py [--threads 1 2] [--n 64] [--sizes 224 48] [--repeats 2] [--device cpu]
"""
import argparse, os, platform, sys, time
from pathlib import Path
import numpy as np
import torch
import skimage
from skimage.feature import hog as sk_hog
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # the checkout, installed or not
from affectnb.hog import HOG
from affectnb.synth import SynthAffect


def skimage_loop(imgs:np.ndarray)->np.ndarray:
    "skimage's HOG of every channel of every image: (N, C, 9, H/8, W/8)."
    return np.stack([[sk_hog(ch, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(1, 1), block_norm='L2',
                             feature_vector=False)[:, :, 0, 0, :].transpose(2, 0, 1) for ch in im] for im in imgs])


def timed(f):
    t = time.perf_counter(); r = f(); return time.perf_counter() - t, r


def run_size(size, n, threads, repeats, device):
    x = SynthAffect('rafdb', 'train', n=n, img_size=size, cache=False).images
    xn, xd = x.numpy(), x.to(device)
    sync = torch.cuda.synchronize if xd.is_cuda else (lambda: None)
    ops = {'skimage-equivalent': HOG.like_skimage().to(device), 'MaskFeat (Sobel, window 16)': HOG().to(device)}
    def ours(op):
        r = op(xd); sync(); return r
    for op in ops.values(): ours(op)                                       # warm-up
    t_sk, t_ours = float('inf'), {(name, k): float('inf') for name in ops for k in threads}
    for _ in range(repeats):                                               # alternate, keep the best of each
        t, ref = timed(lambda: skimage_loop(xn)); t_sk = min(t_sk, t)
        for k in threads:
            torch.set_num_threads(k)
            for name, op in ops.items(): t_ours[name, k] = min(t_ours[name, k], timed(lambda: ours(op))[0])
    err = float(np.abs(ours(ops['skimage-equivalent']).cpu().numpy() - ref).max())
    print(f"\n== {n} images of {size}x{size}x3 ({n*3} skimage calls): skimage loop {t_sk*1e3:9.1f} ms, "
          f"max |ours - skimage| = {err:.1e} ==")
    for k in threads:
        for name in ops:
            t = t_ours[name, k]
            print(f"  {name:<28} {k:>2} thread(s)  ours {t*1e3:8.1f} ms  ({n/t:8.0f} images/s)   ratio {t_sk/t:6.1f}x")
    return t_sk, t_ours


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--threads', type=int, nargs='+', default=sorted({1, os.cpu_count() or 1}))
    ap.add_argument('--n', type=int, default=64)
    ap.add_argument('--sizes', type=int, nargs='+', default=[224, 48])
    ap.add_argument('--repeats', type=int, default=2)
    ap.add_argument('--device', default='cpu')
    a = ap.parse_args()
    print(f"torch {torch.__version__}, scikit-image {skimage.__version__}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, device {a.device}; the skimage loop is single-threaded")
    with torch.no_grad():
        for size in a.sizes: run_size(size, a.n, a.threads, a.repeats, a.device)


if __name__ == '__main__':
    main()
