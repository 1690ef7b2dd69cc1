"""Training-step time of LEAF (LEAFNet + Eq. (14)) over FixMatch's on the same backbone, batches and optimiser (CPU).

Usage: python bench/bench_leaf.py [--steps 20] [--repeats 7] [--img 48] [--width 16] [--batch 16] [--uratio 1] [--threads 1]
Both methods train a ResNet-18 (width 16 by default) with Adam through `affectnb.train.Trainer` on the same
pre-augmented SSL batches (16 labelled + 16 unlabelled images, weak and strong views, 48 px); FixMatch on the plain
backbone, LEAF on `LEAFNet` (S-EAF + I-EAF, default n=4, K=2 residual experts) with its default objective.
Augmentation is done once beforehand (identical for both), so only the training step is timed. Repeats are
interleaved, alternating which method runs first; the figure is the median over repeats of each back-to-back pair's
ratio of step times LEAF / FixMatch (robust to a shared, noisy machine; target <= 1.15)."""
import argparse, copy, json, statistics, sys, time
from pathlib import Path
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from affectnb.backbones import ResNet18
from affectnb.leaf import LEAF, LEAFNet
from affectnb.ssl import FixMatch, SSLLoader
from affectnb.train import Trainer

class Batches:
    "Pre-made SSL batches with the attributes objectives read from an SSLLoader."
    def __init__(self, batches, loader): self.batches, self.num_classes = batches, loader.num_classes; \
        self.n_labelled, self.n_unlabelled = loader.n_labelled, loader.n_unlabelled
    def __len__(self): return len(self.batches)
    def __iter__(self): return iter(self.batches)

def make_batches(steps, img, batch, uratio, views, n_classes=7):
    g = torch.Generator().manual_seed(0)
    xl = torch.randint(0, 256, (8 * batch, 3, img, img), generator=g, dtype=torch.uint8)
    xu = torch.randint(0, 256, (8 * batch * uratio, 3, img, img), generator=g, dtype=torch.uint8)
    ld = SSLLoader(xl, torch.arange(len(xl)) % n_classes, xu, batch_size=batch, uratio=uratio, steps=steps, seed=0,
                   views=views, u_true=torch.arange(len(xu)) % n_classes, num_classes=n_classes)
    return Batches(list(ld), ld)

def step_time(model, objective, batches, lr):
    "Seconds per optimiser step of one `Trainer.fit` epoch over `batches` (the trainer's own timing, setup excluded)."
    t = Trainer(model, objective, preset='ci', device='cpu', optimizer='adam', lr=lr, schedule='const', epochs=1,
                progress=False, seed=None)
    return 1.0 / t.fit(batches)[0]['steps_per_s']

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--steps', type=int, default=20); ap.add_argument('--repeats', type=int, default=7)
    ap.add_argument('--img', type=int, default=48); ap.add_argument('--width', type=int, default=16)
    ap.add_argument('--batch', type=int, default=16); ap.add_argument('--uratio', type=int, default=1)
    ap.add_argument('--lr', type=float, default=5e-4)
    ap.add_argument('--threads', type=int, default=1, help='torch threads (0: leave as is)')
    a = ap.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    fix0 = ResNet18(num_classes=7, width=a.width)
    leaf0 = LEAFNet(ResNet18(num_classes=0, width=a.width), 7)
    leaf0.encoder.load_state_dict({k: v for k, v in fix0.state_dict().items() if not k.startswith('fc.')})  # same backbone
    batches = make_batches(a.steps, a.img, a.batch, a.uratio, ('x', 'u_w', 'u_s'))
    print(f"ResNet18(width={a.width}), {a.img}px, {a.batch} labelled + {a.batch * a.uratio} unlabelled per step, "
          f"{a.steps} steps x {a.repeats} repeats, Adam lr {a.lr}, torch {torch.__version__}, {torch.get_num_threads()} threads")
    warm = Batches(batches.batches[:3], batches)
    step_time(copy.deepcopy(fix0), FixMatch(), warm, a.lr); step_time(copy.deepcopy(leaf0), LEAF(), warm, a.lr)
    res = {'fixmatch': [], 'leaf': []}
    for r in range(a.repeats):
        for k in (('fixmatch', 'leaf') if r % 2 == 0 else ('leaf', 'fixmatch')):
            res[k].append(step_time(copy.deepcopy(fix0), FixMatch(), batches, a.lr) if k == 'fixmatch'
                          else step_time(copy.deepcopy(leaf0), LEAF(), batches, a.lr))
        print(f"repeat {r}: FixMatch {1e3 * res['fixmatch'][-1]:.1f} ms/step, LEAF {1e3 * res['leaf'][-1]:.1f} ms/step")
    f, l = (statistics.median(res[k]) for k in ('fixmatch', 'leaf'))
    ratio = statistics.median(x / y for x, y in zip(res['leaf'], res['fixmatch']))
    print(f"median: FixMatch {1e3 * f:.1f} ms/step, LEAF {1e3 * l:.1f} ms/step; median paired ratio LEAF/FixMatch "
          f"{ratio:.3f} (target <= 1.15)")
    print(json.dumps(dict(fixmatch_ms=1e3 * f, leaf_ms=1e3 * l, ratio=ratio, width=a.width, img=a.img, batch=a.batch,
                          uratio=a.uratio, steps=a.steps, repeats=a.repeats, threads=torch.get_num_threads())))

if __name__ == '__main__':
    main()
