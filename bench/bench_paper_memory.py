"""Peak memory of a paper-preset dry run against the size of the data set (issue "the paper path", item 5).

At `preset="paper"` on real data the loaders stream (`affectnb.datasets.LazyImages`: images decoded batch by batch in
DataLoader workers), so the peak memory of a run must not grow with the number of images on disk. This script writes
SynthAffect's RAF-DB layout at full resolution (100 x 100 aligned faces) with N training images, for two N, and runs in a
fresh process, for each N:

* **streamed**: leaf Table 1's FixMatch at `preset="paper"`, `max_steps=2` (labelled and unlabelled pools and the test set
  streamed from the layout: the paper path as it is);
* **in memory**: the same run with `Params.stream` forced off, i.e. every image of the pools stacked into one uint8 tensor
  (what the loaders did before streaming), to show what the measurement can see.

It prints the peak resident memory (ru_maxrss of the child process) of each, and the ratio of the larger set's peak to
the smaller one's, side by side in one run (the machine is noisy: read the ratios, not the absolute numbers). The stand-in
weight file (`resnet18_msceleb.pth`, random) is written once into the work folder.

    python bench/bench_paper_memory.py [--sizes 5000 20000] [--folder /tmp/affectnb_memory] [--max-steps 2]
"""
import argparse, json, sys, textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from affectnb.paperpath import measure_child
from affectnb.standins import write_official_layouts, write_standin_weights

RUN = textwrap.dedent('''
    import json, sys, torch
    torch.set_num_threads(1)
    import affectnb.experiments as E
    if sys.argv[2] == 'in-memory': E.Params.stream = property(lambda self: False)
    from affectnb.experiments.leaf import table1
    table1(preset='paper', data_root=sys.argv[1], methods=['fixmatch'], seeds=[0], device='cpu', max_steps=int(sys.argv[3]),
           out_dir=sys.argv[4] + '/fig', results_dir=sys.argv[4] + '/results-' + sys.argv[2] + '-' + sys.argv[5], progress=False)
''')

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--sizes', type=int, nargs=2, default=[5000, 20000])
    ap.add_argument('--folder', default='/tmp/affectnb_memory')
    ap.add_argument('--max-steps', type=int, default=2)
    a = ap.parse_args()
    root = Path(a.folder); weights = root/'weights'
    if not (weights/'resnet18_msceleb.pth').is_file(): write_standin_weights(weights, which=['resnet18_msceleb'])
    rows = {}
    for n in a.sizes:
        data = root/f'data_{n}'
        if not (data/'RAF-DB'/'.complete').is_file():
            write_official_layouts(data, datasets=['rafdb'], n_train=n, n_test=400)
            (data/'RAF-DB'/'.complete').write_text('ok\n')
        for mode in ('streamed', 'in-memory'):
            r = measure_child([sys.executable, '-c', RUN, str(data), mode, str(a.max_steps), str(root), str(n)],
                              env={**__import__('os').environ, 'AFFECTNB_WEIGHTS': str(weights), 'MPLBACKEND': 'Agg'})
            if r['rc']: raise SystemExit(f"{mode} run on {n} images failed:\n{r['stderr']}")
            rows[(n, mode)] = r
            print(f"{n:>6} training images, {mode:9s}: peak {r['peak_rss_mb']:7.0f} MB, {r['seconds']:6.1f} s", flush=True)
    lo, hi = a.sizes
    for mode in ('streamed', 'in-memory'):
        print(f"{mode:9s}: peak at {hi} / peak at {lo} = {rows[(hi, mode)]['peak_rss_mb']/rows[(lo, mode)]['peak_rss_mb']:.3f}"
              f" (+{rows[(hi, mode)]['peak_rss_mb'] - rows[(lo, mode)]['peak_rss_mb']:.0f} MB)")
    print(json.dumps({f'{n}/{m}': dict(peak_rss_mb=r['peak_rss_mb'], seconds=round(r['seconds'], 1)) for (n, m), r in rows.items()}))

if __name__ == '__main__': main()
