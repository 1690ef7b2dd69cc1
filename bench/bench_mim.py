"""Benchmark: one MaskFeat pre-training step against one supervised step of the same ViT on the same batch.

PLL-FER's MaskFeat runs the encoder on the visible patches only (pll_fer Sec. 3.2: 60% of them at mask ratio 0.4),
followed by a light decoder (2 blocks, `affectnb.mim.MIMDecoder`) and the HOG targets (`affectnb.hog`), so its step
should cost less than a supervised step, which runs the encoder on every patch. Both steps here are complete
optimiser steps (forward, backward, AdamW) of the same ViT on the same batch of SynthAffect faces:

* supervised: `model(x)`, cross-entropy, AdamW;
* MaskFeat (paper reading, `encoder='visible'`): mask drawing, HOG targets, encoder on the visible patches, decoder,
  masked MSE, AdamW over encoder and decoder;
* MaskFeat's code reading (`encoder='mask_token'`): the encoder on all positions with [MASK] tokens, a linear head;

and, to split the MaskFeat step, the encoder part alone (the same visible-patch forward + backward with a dummy loss,
AdamW on the encoder) and the HOG targets alone. Decoder + head overhead = MaskFeat step - encoder part - HOG.

The steps are timed alternately (one of each per round), median of `--repeats` rounds after one warm-up round, with
`--threads` torch threads. Configurations: vit_small at 48 px (8-px patches, 36 patches, batch `--batch`) and, unless
`--no-b16`, ViT-B/16 at 224 px (196 patches) with the paper preset's MaskFeat (decoder of 2 blocks x 512) at batch
`--batch-b16`.

    nice -n 19 python bench/bench_mim.py [--threads 1] [--batch 64] [--batch-b16 4] [--repeats 5] [--repeats-b16 2] [--no-b16]
"""
import argparse, os, platform, statistics, sys, time
from pathlib import Path
import torch, torch.nn.functional as F
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # the checkout, installed or not
from affectnb.vit import vit
from affectnb.mim import MaskFeat, mim_config, mim_objective, mim_optimizer
from affectnb.synth import SynthAffect


def steps(config, batch, img_size, mf_kw):
    "Closures, each one full optimiser step, on the same model architecture and batch."
    torch.manual_seed(0)
    x = SynthAffect('rafdb', 'train', n=batch, img_size=img_size, cache=False).images.float()/255
    y = torch.randint(0, 7, (batch,))
    sup = vit(config, 7, image_size=img_size)
    opt_s = torch.optim.AdamW(sup.parameters(), 1e-4)
    def supervised():
        opt_s.zero_grad(set_to_none=True); F.cross_entropy(sup(x), y).backward(); opt_s.step()
    out = {'supervised': supervised}
    for enc in ('visible', 'mask_token'):
        m = vit(config, 0, image_size=img_size)
        cfg = mim_config('maskfeat', 'paper', encoder=enc, decoder_depth=mf_kw['decoder_depth'] if enc == 'visible' else 0,
                         decoder_dim=mf_kw['decoder_dim'], decoder_heads=mf_kw['decoder_heads'], mask_patch=0)
        obj = mim_objective(cfg).build(m)
        opt = mim_optimizer(m, obj, cfg)()
        g = torch.Generator().manual_seed(0)
        def mf(m=m, obj=obj, opt=opt, g=g):
            opt.zero_grad(set_to_none=True); obj.forward(m, x, generator=g)['loss'].backward(); opt.step()
        out[f'MaskFeat ({enc})'] = mf
        if enc == 'visible':
            e = vit(config, 0, image_size=img_size); opt_e = torch.optim.AdamW(e.parameters(), 1e-4)
            mask = obj.make_mask(e, batch, torch.Generator().manual_seed(1))
            def enc_only():
                opt_e.zero_grad(set_to_none=True); tok, cls = e.forward_tokens(x, mask, drop_masked=True)
                (tok.float().pow(2).mean() + cls.float().pow(2).mean()).backward(); opt_e.step()
            out['encoder part (visible)'] = enc_only
            out['HOG targets'] = lambda obj=obj, m=m: obj.targets(m, x)
    return out


def bench(name, fns, repeats):
    times = {k: [] for k in fns}
    for r in range(repeats + 1):                                   # round 0 = warm-up
        for k, f in fns.items():
            t = time.perf_counter(); f(); dt = time.perf_counter() - t
            if r: times[k].append(dt)
    med = {k: statistics.median(v) for k, v in times.items()}
    s, mf = med['supervised'], med['MaskFeat (visible)']
    print(f"\n{name}")
    for k, v in med.items(): print(f"  {k:28s} {v*1e3:9.1f} ms   ({v/s:.2f} x supervised)")
    dec = mf - med['encoder part (visible)'] - med['HOG targets']
    print(f"  ratio MaskFeat step / supervised step: {mf/s:.2f} (paper reading, encoder on the visible patches); "
          f"{med['MaskFeat (mask_token)']/s:.2f} (MaskFeat's code, [MASK] tokens)")
    print(f"  decoder + head overhead: {dec*1e3:.1f} ms = {dec/mf*100:.0f}% of the MaskFeat step; HOG targets "
          f"{med['HOG targets']/mf*100:.0f}%")
    return med


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--threads', type=int, default=1); ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--batch-b16', type=int, default=4); ap.add_argument('--repeats', type=int, default=5)
    ap.add_argument('--repeats-b16', type=int, default=2); ap.add_argument('--no-b16', action='store_true')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    print(f"torch {torch.__version__}, {platform.processor() or platform.machine()}, {a.threads} thread(s), "
          f"{os.cpu_count()} CPUs visible; mask ratio 0.4 (paper), MaskFeat decoder 2 blocks")
    t0 = time.time()
    bench(f"vit_small at 48 px (8-px patches, 36 patches; decoder 2 blocks at width 192), batch {a.batch}",
          steps('vit_small', a.batch, 48, dict(decoder_depth=2, decoder_dim=0, decoder_heads=0)), a.repeats)
    if not a.no_b16:
        bench(f"ViT-B/16 at 224 px (196 patches; decoder 2 blocks x 512, 16 heads: the paper preset), batch {a.batch_b16}",
              steps('vit_b16', a.batch_b16, 224, dict(decoder_depth=2, decoder_dim=512, decoder_heads=16)), a.repeats_b16)
    print(f"\ntotal {time.time() - t0:.0f} s")
