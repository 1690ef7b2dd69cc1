"Time one training step of the smoke backbone (ResNet-18, width 16, 48 px, batch 64) with and without the small-input stem."
import argparse, time
import torch, torch.nn.functional as F
from affectnb.backbones import ResNet18, count_flops, count_params

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--threads', type=int, default=torch.get_num_threads())
    ap.add_argument('--img-size', type=int, default=48); ap.add_argument('--width', type=int, default=16)
    ap.add_argument('--batch', type=int, default=64); ap.add_argument('--steps', type=int, default=5)
    a = ap.parse_args(); torch.set_num_threads(a.threads)
    for small in (False, True):
        m = ResNet18(7, width=a.width, small_input=small)
        opt = torch.optim.SGD(m.parameters(), lr=0.01)
        x, y = torch.rand(a.batch, 3, a.img_size, a.img_size), torch.randint(0, 7, (a.batch,))
        ts = []
        for i in range(a.steps + 1):
            t0 = time.perf_counter(); opt.zero_grad(); F.cross_entropy(m(x), y).backward(); opt.step()
            ts.append(time.perf_counter() - t0)
        ts = sorted(ts[1:])
        print(f"small_input={small}: {count_params(m)/1e6:.3f} M params, "
              f"{count_flops(m, a.img_size)['macs_total']/1e6:.1f} M MACs/image, "
              f"median {1e3*ts[len(ts)//2]:.0f} ms per step of {a.batch} ({a.threads} threads)")
