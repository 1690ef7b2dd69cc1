"""DDP under torchrun on CPU (gloo): 2 ranks agree with each other and with one process on the full batch.

Pinned to CPU even on a GPU host: the launched ranks see no CUDA device (CUDA_VISIBLE_DEVICES=""), so
`setup_distributed` must pick gloo (asserted from what each rank reports), and the one-process reference runs on cpu."""
import os, subprocess, sys, textwrap
from pathlib import Path
import pytest, torch

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = textwrap.dedent('''
    import sys, torch, torch.nn as nn, torch.distributed as dist
    from torch.utils.data import DataLoader, TensorDataset
    sys.path.insert(0, sys.argv[2])
    from test_train_ddp import make_data, make_net, Classify, PRESET_KW
    from affectnb.train import Trainer
    out = sys.argv[1]
    X, Y = make_data()
    res = {}
    for name, obj in (('supervised', None), ('method', Classify())):
        t = Trainer(make_net(), obj, ckpt_path=f'{out}/{name}.pt', **PRESET_KW)
        assert t.world_size == 2 and t.ddp is not None, (t.world_size, t.ddp)
        h = t.fit(DataLoader(TensorDataset(X, Y), batch_size=8, shuffle=True))   # 8 per rank = 16 global
        res[name] = dict(params=[p.detach().clone() for p in t.model.parameters()], loss=[r['train_loss'] for r in h],
                         steps=t.global_step)
    res['backend'], res['device'], res['cuda'] = dist.get_backend(), str(t.device), torch.cuda.is_available()
    torch.save(res, f'{out}/rank{dist.get_rank()}.pt')
    dist.destroy_process_group()
''')

PRESET_KW = dict(preset='ci', optimizer='sgd', lr=0.2, momentum=0.9, epochs=3, schedule='cosine', progress=False, seed=0)

def cpu_env()->dict:
    "The environment of the launched ranks: no CUDA device visible (so gloo on CPU), the checkout importable, quiet."
    return dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get('PYTHONPATH', '')]), OMP_NUM_THREADS='1',
                CI='true', CUDA_VISIBLE_DEVICES='')

def make_data(n=64):
    g = torch.Generator().manual_seed(0)
    centres = torch.randn(3, 6, generator=g) * 2
    y = torch.arange(n) % 3
    return centres[y] + torch.randn(n, 6, generator=g), y

class Net(torch.nn.Module):
    def __init__(self):
        super().__init__(); self.body = torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.Tanh()); self.head = torch.nn.Linear(16, 3)
    def features(self, x): return self.body(x)
    def classify(self, x): return self.head(self.features(x))
    def forward(self, x): return self.classify(x)

def make_net():
    torch.manual_seed(0); return Net()

def _classify_cls():
    from affectnb.train import Supervised
    import torch.nn.functional as F
    class Classify(Supervised):
        "Calls a method of the model other than forward: under DDP it must go through DistributedDataParallel."
        def loss(self, model, batch, trainer):
            x, y = batch
            return F.cross_entropy(model.classify(x), y)
    return Classify

def __getattr__(name):  # lazy, so that importing this file does not need affectnb at collection time
    if name == 'Classify': return _classify_cls()
    raise AttributeError(name)

def test_ddp_two_ranks_match_full_batch(tmp_path):
    from torch.utils.data import DataLoader, TensorDataset, DistributedSampler
    from affectnb.train import Trainer
    script = tmp_path/'ddp_script.py'; script.write_text(SCRIPT)
    r = subprocess.run([sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', '2', '--standalone',
                        str(script), str(tmp_path), str(Path(__file__).parent)],
                       capture_output=True, text=True, env=cpu_env(), timeout=110)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-6000:]
    r0, r1 = (torch.load(tmp_path/f'rank{i}.pt', weights_only=True) for i in (0, 1))
    for res in (r0, r1):   # what it says: CPU ranks over gloo, even where this host has a GPU
        assert (res['backend'], res['device'], res['cuda']) == ('gloo', 'cpu', False), (res['backend'], res['device'], res['cuda'])
    X, Y = make_data()
    for name in ('supervised', 'method'):
        # identical on both ranks, and 4 steps per epoch (64 samples / 16 global)
        for a, b in zip(r0[name]['params'], r1[name]['params']): assert torch.equal(a, b), name
        assert r0[name]['steps'] == 12 and r0[name]['loss'] == r1[name]['loss']
        assert r0[name]['loss'][-1] < r0[name]['loss'][0]
        # one process on the same global batches of 16 (the union of the two ranks' DistributedSampler shards)
        batches = []
        for e in range(3):
            s = [DistributedSampler(TensorDataset(X, Y), num_replicas=2, rank=k, shuffle=True, seed=0) for k in (0, 1)]
            for k in s: k.set_epoch(e)
            idx = [list(k) for k in s]
            for i in range(0, 32, 8):
                j = torch.tensor(idx[0][i:i + 8] + idx[1][i:i + 8]); batches.append((X[j], Y[j]))
        t = Trainer(make_net(), device='cpu', **PRESET_KW)
        assert t.world_size == 1 and t.device.type == 'cpu'
        t.fit(_EpochList(batches, 4))
        for a, b in zip(r0[name]['params'], t.model.parameters()): torch.testing.assert_close(a, b.detach(), atol=1e-5, rtol=1e-4)
    assert (tmp_path/'supervised.pt').exists() and not list(tmp_path.glob('.*.tmp'))

class _EpochList:
    "A loader that yields the `per_epoch` batches of epoch e (set by set_epoch)."
    def __init__(self, batches, per_epoch): self.batches, self.per_epoch, self.e = batches, per_epoch, 0
    def set_epoch(self, e): self.e = e
    def __len__(self): return self.per_epoch
    def __iter__(self): return iter(self.batches[self.e * self.per_epoch:(self.e + 1) * self.per_epoch])
