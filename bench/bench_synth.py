"""Benchmark SynthAffect generation (no cache): images/s at 48, 100 and 224 px.
Usage: python bench/bench_synth.py [--n 2000] [--like rafdb] [--repeats 3]"""
import argparse, time
import torch
from affectnb.synth import SYNTH_LIKES, sample_scenes, render_faces

def bench(like:str, img_size:int, n:int, repeats:int)->float:
    "Best-of-`repeats` images/s of sampling + rendering `n` images at `img_size`."
    render_faces(sample_scenes(like, n=32), img_size)                  # warm-up
    best = 0.0
    for r in range(repeats):
        t = time.perf_counter()
        render_faces(sample_scenes(like, 'train', n, seed=r), img_size)
        best = max(best, n/(time.perf_counter() - t))
    return best

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--n', type=int, default=2000)
    ap.add_argument('--like', default='rafdb', choices=SYNTH_LIKES)
    ap.add_argument('--repeats', type=int, default=3)
    a = ap.parse_args()
    print(f'torch {torch.__version__}, {torch.get_num_threads()} threads available; rendering single-threaded, chunk 32')
    for S in (48, 100, 224):
        n = a.n if S <= 100 else max(64, a.n//8)
        print(f'{a.like:9s} {S:3d} px: {bench(a.like, S, n, a.repeats):8.0f} images/s  (n={n}, best of {a.repeats})')
