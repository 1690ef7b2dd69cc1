"""Benchmark the video SynthAffect (`affectnb.synth_video`): clips/s, no cache, one thread.

Two configurations: 8 frames at 32 px and 16 frames at 112 px (DFEW-like clips, difficulty 1). For each, side by side
in one run and interleaved:

* **video**: `sample_clips` + `render_clips` (trajectories, per-frame scenes, one `render_faces` call per chunk of
  clips, compression artefact): what `SynthVideo.clips` does on a cache miss;
* **images**: `affectnb.synth.sample_scenes` + `render_faces` of the same number of independent images at the same
  size: the image renderer alone.

It prints the best of `--repeats` for each, as clips/s and frames/s, and the ratio video / images (the video
layer's overhead; these machines are noisy, only the ratio measured in one run means much).

    python bench/bench_synth_video.py [--n32 300] [--n112 24] [--repeats 3] [--like dfew]
"""
import argparse, sys, time
from pathlib import Path
import torch
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # the checkout, installed or not
from affectnb.synth import sample_scenes, render_faces
from affectnb.synth_video import VIDEO_LIKES, VIDEO_STYLES, sample_clips, render_clips

def bench(like:str, frames:int, size:int, n:int, repeats:int)->tuple:
    "Best-of-`repeats` seconds of (video, images) for `n` clips of `frames` frames at `size` px."
    render_clips(sample_clips(like, n=2, frames=frames), size)                       # warm-up
    tv, ti = [], []
    for r in range(repeats):
        t = time.perf_counter(); render_clips(sample_clips(like, 'train', n, frames, seed=r), size); tv.append(time.perf_counter() - t)
        t = time.perf_counter(); render_faces(sample_scenes(VIDEO_STYLES[like]['base'], 'train', n*frames, seed=r), size)
        ti.append(time.perf_counter() - t)
    return min(tv), min(ti)

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--n32', type=int, default=300); ap.add_argument('--n112', type=int, default=24)
    ap.add_argument('--repeats', type=int, default=3); ap.add_argument('--like', default='dfew', choices=VIDEO_LIKES)
    a = ap.parse_args()
    torch.set_num_threads(1)
    print(f'torch {torch.__version__}, 1 thread; like={a.like}, difficulty 1, no cache')
    for frames, size, n in ((8, 32, a.n32), (16, 112, a.n112)):
        tv, ti = bench(a.like, frames, size, n, a.repeats)
        print(f'{frames:2d} frames x {size:3d} px (n={n}): video {n/tv:7.1f} clips/s ({n*frames/tv:6.0f} frames/s); '
              f'images alone {n*frames/ti:6.0f} frames/s; ratio video/images time {tv/ti:.2f}')
