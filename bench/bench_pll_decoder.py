"""The label-query decoder's overhead on a PLL-FER fine-tuning step (pll_fer Sec. 3.3, issue 12).

PLL-FER replaces the ViT's linear classifier by a 2-block transformer decoder whose K label queries attend to the
encoder's visual tokens (`affectnb.pll.PLLNet`). This benchmark times, side by side in one run and on the same batch:

* **linear**: the ViT with its own classifier (the class token -> linear), Eq. (2) with the confidence fixed
  (PLL-FER without its modules, Tables 5-6's "PLL"): forward, loss, backward, AdamW step;
* **decoder**: the same ViT wrapped in `PLLNet` (2 decoder blocks, K queries), the full objective of Alg. 1
  (Re-conf, Eq. 2 and L_uniform on the queries): forward, loss, backward, AdamW step.

It prints the median step time of each over `--repeats` interleaved rounds and their ratio (these machines are
noisy: only the ratio measured in one run means anything). Configurations: vit_tiny and vit_small at 48 px
(8-px patches) and, unless `--no-b16`, ViT-B/16 at 224 px (the paper's) at a small batch on the CPU.

    python bench/bench_pll_decoder.py [--threads 1] [--batch 64] [--repeats 5] [--no-b16]
"""
import argparse, statistics, time
import torch
from affectnb.vit import vit
from affectnb.pll import PLLNet, PLLFER
from affectnb.experiments.pll_fer import finetune_optimizer
from affectnb.core import get_preset

def make_step(net, obj, batch):
    "One optimisation step of `obj` on `net` (the objective's state set up for N = the batch)."
    class T:                       # the attributes of a Trainer the objectives read
        model, device, epoch, global_step, seed, world_size, epochs = net, torch.device('cpu'), 0, 0, 0, 1, 1
    t = T(); obj.setup(t); obj.on_fit_start(t); obj.on_epoch_start(t, 0)
    opt = finetune_optimizer(net, get_preset('smoke', 'pll_fer'))(list(net.parameters()))
    def step():
        loss, _ = obj.loss(net, batch, t)
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
    return step

def bench(title, config, size, B, C, repeats, steps):
    torch.manual_seed(0)
    x = torch.rand(B, 3, size, size)
    y = torch.randint(0, C, (B,))
    cand = torch.zeros(B, C, dtype=torch.bool); cand[torch.arange(B), y] = True; cand[torch.arange(B), (y + 1) % C] = True
    batch = (x, y, torch.arange(B), cand)
    lin = make_step(vit(config, C, image_size=size), PLLFER(cand, reconf=False, uniform=False, conf_update='rc'), batch)
    dec = make_step(PLLNet(vit(config, 0, image_size=size), C), PLLFER(cand, conf_update='rc'), batch)
    for f in (lin, dec): f()                                        # warm-up
    t = {'linear': [], 'decoder': []}
    for _ in range(repeats):                                        # interleaved rounds
        for name, f in (('linear', lin), ('decoder', dec)):
            t0 = time.perf_counter()
            for _ in range(steps): f()
            t[name].append((time.perf_counter() - t0)/steps)
    a, b = statistics.median(t['linear']), statistics.median(t['decoder'])
    print(f"{title}\n  linear head: {a*1e3:.1f} ms/step; label-query decoder + L_uniform + Re-conf: {b*1e3:.1f} ms/step; "
          f"ratio decoder / linear: {b/a:.2f} (overhead {100*(b/a - 1):.0f}%)")

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--threads', type=int, default=1); ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--repeats', type=int, default=5); ap.add_argument('--steps', type=int, default=3)
    ap.add_argument('--no-b16', action='store_true')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    print(f"torch {torch.__version__}, {a.threads} thread(s); PLLNet decoder: 2 blocks, 8 heads, width = the encoder's; K = 7")
    bench(f"vit_tiny at 48 px (37 tokens, width 96), batch {a.batch}", 'vit_tiny', 48, a.batch, 7, a.repeats, a.steps)
    bench(f"vit_small at 48 px (37 tokens, width 192), batch {a.batch}", 'vit_small', 48, a.batch, 7, a.repeats, a.steps)
    if not a.no_b16: bench("ViT-B/16 at 224 px (197 tokens, width 768), batch 4", 'vit_b16', 224, 4, 7, max(2, a.repeats//2), 1)
