"""Thread oversubscription: the same short `Trainer.fit` run alone and beside busy processes, old vs new thread setting (CPU).

Usage: python bench/bench_threads.py [--steps 8] [--repeats 3] [--busy 1] [--img 48] [--width 16] [--batch 64]
Each measurement is a fresh child process training a width-16 ResNet-18 (the smoke preset's backbone) on in-memory
48-px images, batch 64, Adam, for `--steps` timed steps after 2 warm-up steps. Settings:
  old: `Trainer(num_threads=0)`, torch's own intra-op count (one OpenMP thread per core), the behaviour before;
  new: `Trainer()`, the library default (`affectnb.train.resolve_num_threads`: half the usable CPUs, 1 on 2 cores).
Cases: alone, and contended beside `--busy` processes running `while True: pass`. Repeats are interleaved
(alternating which setting goes first); prints each time, the medians, and the ratios contended/alone and old/new.
The children are started with OMP_NUM_THREADS, MKL_NUM_THREADS and AFFECTNB_NUM_THREADS removed from the environment."""
import argparse, json, os, statistics, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

def child(a):
    "Time `a.steps` training steps with the `a.child` setting; print one JSON line."
    import torch
    from affectnb.backbones import ResNet18
    from affectnb.datasets import FastLoader
    from affectnb.train import Trainer, Supervised
    torch.manual_seed(0)
    n = (a.steps + 2) * a.batch
    x = torch.randint(0, 256, (n, 3, a.img, a.img), dtype=torch.uint8); y = torch.randint(0, 7, (n,))
    t = Trainer(ResNet18(num_classes=7, width=a.width), Supervised(), preset='smoke', device='cpu', optimizer='adam',
                schedule='const', epochs=1, progress=False, seed=0, num_threads=0 if a.child == 'old' else None)
    t.fit(FastLoader(x[:2 * a.batch], y[:2 * a.batch], batch_size=a.batch, shuffle=True, seed=0, drop_last=True))  # warm-up
    loader = FastLoader(x[2 * a.batch:], y[2 * a.batch:], batch_size=a.batch, shuffle=True, seed=0, drop_last=True)
    t0 = time.perf_counter(); t.fit(loader); dt = time.perf_counter() - t0
    print(json.dumps(dict(setting=a.child, seconds=dt, threads=t.num_threads or torch.get_num_threads(),
                          torch_threads=torch.get_num_threads(), interop=torch.get_num_interop_threads())))

def measure(setting, a, env):
    out = subprocess.run([sys.executable, __file__, '--child', setting, '--steps', str(a.steps), '--img', str(a.img),
                          '--width', str(a.width), '--batch', str(a.batch)], env=env, capture_output=True, text=True,
                         check=True, timeout=a.timeout)
    return json.loads(out.stdout.strip().splitlines()[-1])

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--steps', type=int, default=8); ap.add_argument('--repeats', type=int, default=3)
    ap.add_argument('--busy', type=int, default=1, help='busy processes in the contended case')
    ap.add_argument('--img', type=int, default=48); ap.add_argument('--width', type=int, default=16)
    ap.add_argument('--batch', type=int, default=64); ap.add_argument('--timeout', type=float, default=1800)
    ap.add_argument('--child', choices=('old', 'new'), default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child: return child(a)
    env = {k: v for k, v in os.environ.items() if k not in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'AFFECTNB_NUM_THREADS')}
    env['PYTHONPATH'] = os.pathsep.join([str(ROOT), env.get('PYTHONPATH', '')])
    ncpu = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()
    print(f"ResNet18(width={a.width}), {a.img}px, batch {a.batch}, {a.steps} timed steps, {ncpu} usable CPUs, "
          f"{a.busy} busy process(es) when contended, {a.repeats} repeats; load average {os.getloadavg()[0]:.2f} at start")
    res = {(s, c): [] for s in ('old', 'new') for c in ('alone', 'contended')}
    threads = {}
    for r in range(a.repeats):
        for case in ('alone', 'contended'):
            busy = [subprocess.Popen([sys.executable, '-c', 'while True: pass']) for _ in range(a.busy if case == 'contended' else 0)]
            try:
                if busy: time.sleep(0.5)
                for s in (('old', 'new') if r % 2 == 0 else ('new', 'old')):
                    m = measure(s, a, env); res[s, case].append(m['seconds']); threads[s] = m['threads']
                    print(f"repeat {r} {case:9s} {s} ({m['threads']} thread(s)): {m['seconds']:7.2f} s "
                          f"({1000 * m['seconds'] / a.steps:.0f} ms/step), load {os.getloadavg()[0]:.2f}", flush=True)
            finally:
                for b in busy: b.kill(); b.wait()
    med = {k: statistics.median(v) for k, v in res.items()}
    print(f"\nmedians over {a.repeats} repeats (seconds for {a.steps} steps):")
    print(f"{'setting':28s} {'alone':>9s} {'contended':>10s} {'contended/alone':>16s}")
    for s in ('old', 'new'):
        print(f"{s + f' ({threads[s]} thread(s))':28s} {med[s, 'alone']:9.2f} {med[s, 'contended']:10.2f} "
              f"{med[s, 'contended'] / med[s, 'alone']:16.2f}")
    print(f"{'old/new':28s} {med['old', 'alone'] / med['new', 'alone']:9.2f} "
          f"{med['old', 'contended'] / med['new', 'contended']:10.2f}")
    print(json.dumps(dict(steps=a.steps, repeats=a.repeats, busy=a.busy, cpus=ncpu, threads=threads,
                          medians={f'{s}_{c}': v for (s, c), v in med.items()},
                          times={f'{s}_{c}': v for (s, c), v in res.items()})))

if __name__ == '__main__':
    main()
