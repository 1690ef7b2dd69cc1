"""GPU benchmark: ViT-B/16 MaskFeat pre-training (pll_fer's paper preset) in bf16 autocast, images/s and model FLOPs utilisation.

One `affectnb.train.Trainer` runs `affectnb.mim.MaskFeat` at the paper preset (mask ratio 0.4, block-wise masks,
the encoder on the visible patches, a decoder of 2 blocks x 512, HOG targets computed on the GPU, AdamW) on batches
of `--batch` images at 224 px (random uint8 images already on the device: the data pipeline is not timed). Epoch 1
(`--warmup` steps) warms up; epoch 2 (`--steps` steps) is timed by the Trainer (it synchronises the device at the
end of the epoch).

FLOPs per step are counted with `torch.utils.flop_counter.FlopCounterMode` on one forward + backward of the same loss
(matrix multiplications, convolutions and, on CUDA, the fused attention kernels; torch's counter has no entry for the
CPU attention kernel, so on the CPU attention is missing from the count; the optimiser, the HOG and the element-wise
work are not counted, as usual for MFU), and analytically (2 FLOPs per multiply-add; backward = 2 x forward) as a check. Model FLOPs
utilisation = counted FLOPs per second / `--peak-tflops`. The default peak, 989.4 TFLOP/s, is NVIDIA's dense BF16
tensor-core figure for the H200 SXM (the datasheet's 1,979 TFLOP/s is with 2:4 sparsity); pass your GPU's.

    python bench/gpu_maskfeat.py [--batch 256] [--steps 20] [--warmup 5] [--peak-tflops 989.4] [--encoder visible]
    python bench/gpu_maskfeat.py --smoke      # vit_tiny at 48 px, batch 2, 2 steps: runs anywhere, on the CPU too

Not imported by the tests.
"""
import argparse, sys, time
from pathlib import Path
import torch
from torch.utils.flop_counter import FlopCounterMode
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # the checkout, installed or not
from affectnb.vit import vit
from affectnb.train import Trainer
from affectnb.mim import mim_config, mim_objective, mim_optimizer, mim_trainer_preset

H200_BF16_DENSE_TFLOPS = 989.4


def analytic_flops(m, obj, B:int)->float:
    "Forward + backward FLOPs of one MaskFeat step from the shapes (2 per multiply-add, backward = 2 x forward)."
    N, D, L, Mlp, P, C = m.num_patches, m.embed_dim, m.depth, m.mlp_dim, m.patch_size, m.in_chans
    n_mask = int(obj.make_mask(m, 1).sum())
    block = lambda n, d, h: 2*n*(4*d*d + 2*d*h) + 4*n*n*d               # qkv + out proj + MLP, then QK^T and AV
    fwd = 2*N*C*P*P*D                                                    # patch embedding of all patches
    if obj.encoder == 'visible':
        nv = N - n_mask + 1
        fwd += L*block(nv, D, Mlp)
        dec = obj.head; d = dec.dim; T = dec.pred.out_features
        fwd += 2*nv*D*d + len(dec.blocks)*block(N + 1, d, 4*d) + 2*(N + 1)*d*T
    else:
        T = obj.head.out_features
        fwd += L*block(N + 1, D, Mlp) + 2*N*D*T
    return 3*B*fwd


def main(a):
    dev = torch.device(a.device if a.device != 'auto' else ('cuda' if torch.cuda.is_available() else 'cpu'))
    if dev.type == 'cuda': torch.backends.cuda.matmul.allow_tf32 = True; torch.backends.cudnn.allow_tf32 = True
    config, size = ('vit_tiny', 48) if a.smoke else ('vit_b16', 224)
    B, steps, warm = (2, 2, 1) if a.smoke else (a.batch, a.steps, a.warmup)
    kw = dict(encoder=a.encoder, decoder_depth=2 if a.encoder == 'visible' else 0)
    if a.smoke: kw.update(mask_patch=0, decoder_dim=0, decoder_heads=0)
    cfg = mim_config('maskfeat', 'paper', **kw)
    torch.manual_seed(0)
    model = vit(config, 0, image_size=size)
    obj = mim_objective(cfg)
    make = mim_optimizer(model, obj, cfg)
    def optimizer(params):
        opt = make(params)
        if dev.type == 'cuda' and not a.no_fused:
            opt = torch.optim.AdamW(opt.param_groups, lr=cfg.lr, betas=cfg.betas, fused=True)
        return opt
    p = mim_trainer_preset(cfg, size).replace(amp=True, warmup_epochs=0, schedule='const')
    tr = Trainer(model, obj, p, optimizer=optimizer, device=dev, progress=False, seed=0, ema=False, grad_clip=False,
                 num_threads=0)
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 256, (B, 3, size, size), dtype=torch.uint8, generator=g).to(dev)
    batch = (x, torch.zeros(B, dtype=torch.long, device=dev))

    with FlopCounterMode(display=False) as fc:                           # one forward + backward, counted
        with tr.autocast(): loss = obj.loss(model, batch, None)
        loss.backward()
    counted = fc.get_total_flops()
    tr.optimizer.zero_grad(set_to_none=True)
    analytic = analytic_flops(model, obj, B)

    tr.fit([batch]*warm, epochs=1)                                        # warm-up (allocator, kernels)
    t0 = time.perf_counter()
    tr.fit([batch]*steps, epochs=1)
    wall = time.perf_counter() - t0
    h = tr.history[-1]
    ips, sps = h['images_per_s'], h['steps_per_s']
    peak = a.peak_tflops*1e12
    name = torch.cuda.get_device_name(dev) if dev.type == 'cuda' else 'CPU'
    print(f"device {name}; torch {torch.__version__}; {config} at {size} px, MaskFeat encoder={a.encoder!r}, "
          f"mask ratio {cfg.mask_ratio}, decoder {obj.head.__class__.__name__}, batch {B}, bf16 autocast "
          f"{'on' if tr.use_amp else 'off (CPU)'}")
    print(f"FLOPs per step (fwd+bwd): counted {counted/1e9:.4g} GFLOP, analytic {analytic/1e9:.4g} GFLOP "
          f"(ratio {counted/analytic:.3f})")
    print(f"timed {steps} steps in {h['time']:.3f} s ({wall:.3f} s with the loop's set-up): {ips:.1f} images/s, "
          f"{sps:.2f} steps/s, loss {h['train_loss']:.4f}")
    print(f"model FLOPs utilisation: {counted*sps/1e12:.4g} TFLOP/s of {a.peak_tflops} TFLOP/s peak = "
          f"{100*counted*sps/peak:.3g}% (analytic FLOPs: {100*analytic*sps/peak:.3g}%)")
    if dev.type == 'cuda': print(f"peak memory {torch.cuda.max_memory_allocated(dev)/2**30:.1f} GiB")


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--batch', type=int, default=256)
    ap.add_argument('--steps', type=int, default=20)
    ap.add_argument('--warmup', type=int, default=5)
    ap.add_argument('--peak-tflops', type=float, default=H200_BF16_DENSE_TFLOPS,
                    help="the GPU's dense bf16 peak in TFLOP/s (default: H200 SXM, 989.4)")
    ap.add_argument('--encoder', choices=('visible', 'mask_token'), default='visible',
                    help="visible: the paper's reading (default); mask_token: MaskFeat's code")
    ap.add_argument('--device', default='auto')
    ap.add_argument('--no-fused', action='store_true', help="plain AdamW instead of the fused CUDA one")
    ap.add_argument('--smoke', action='store_true', help="vit_tiny at 48 px, batch 2, 2 steps (runs on the CPU)")
    main(ap.parse_args())
