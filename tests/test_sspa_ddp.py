"""SSPA-JT under torchrun on CPU (gloo): after an SS epoch both ranks hold the same, merged selection state.

Pinned to CPU even on a GPU host: the ranks see no CUDA device (CUDA_VISIBLE_DEVICES=""); each reports its backend."""
import os, subprocess, sys, textwrap
from pathlib import Path
import torch

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = textwrap.dedent('''
    import sys, torch, torch.distributed as dist
    from affectnb.backbones import ResNet18
    from affectnb.datasets import FastLoader
    from affectnb.sspa import SSPAJT, SSPANet
    from affectnb.train import Trainer
    out = sys.argv[1]
    g = torch.Generator().manual_seed(0)
    N = 32
    X, y = torch.rand(N, 3, 16, 16, generator=g), torch.arange(N) % 7
    dom = (torch.arange(N) >= 16).long()
    torch.manual_seed(0)
    obj = SSPAJT(k=2, T_S=2, momentum=0.5)
    t = Trainer(SSPANet(ResNet18(7, width=4, small_input=True), 7, k=2), obj, 'ci', optimizer='sgd', lr=0.05,
                epochs=2, progress=False, seed=0)
    assert t.world_size == 2
    h = t.fit(FastLoader(X, y, 4, shuffle=True, seed=0, extras=[torch.arange(N), dom, y]))
    torch.save(dict(thr=obj.selector.thresholds, clean=obj.selector.clean, domain=obj._domain, hist=h,
                    backend=dist.get_backend(), device=str(t.device), cuda=torch.cuda.is_available()),
               f'{out}/rank{dist.get_rank()}.pt')
    dist.destroy_process_group()
''')

def test_sspa_ddp_ranks_merge_selection(tmp_path):
    script = tmp_path/'sspa_ddp.py'; script.write_text(SCRIPT)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get('PYTHONPATH', '')]), OMP_NUM_THREADS='1', CI='true',
               CUDA_VISIBLE_DEVICES='')
    r = subprocess.run([sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', '2', '--standalone', str(script),
                        str(tmp_path)], capture_output=True, text=True, env=env, timeout=110)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-6000:]
    r0, r1 = (torch.load(tmp_path/f'rank{i}.pt', weights_only=True) for i in (0, 1))
    for res in (r0, r1):   # what it says: CPU ranks over gloo, even where this host has a GPU
        assert (res['backend'], res['device'], res['cuda']) == ('gloo', 'cpu', False), (res['backend'], res['device'], res['cuda'])
    assert torch.equal(r0['thr'], r1['thr']) and torch.equal(r0['clean'], r1['clean'])
    # each rank trained on half the batches; each scored all of D at the end of every SS epoch (affectnb.sspa)
    assert (r0['thr'] != 1/7).all()
    assert [h['n_scored'] for h in r0['hist']] == [h['n_scored'] for h in r1['hist']] == [32, 32]
    assert (r0['domain'] >= 0).all() and r0['clean'][:16].all()          # domains known everywhere; targets fixed clean
    assert [h['n_clean'] for h in r0['hist']] == [h['n_clean'] for h in r1['hist']]
