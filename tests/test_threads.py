"The trainer's torch thread setting: resolution order, application inside fit/predict, global state restored (no timings)."
import os, subprocess, sys
from pathlib import Path
import pytest, torch, torch.nn as nn
from affectnb.core import ConfigError
from affectnb import train
from affectnb.train import Trainer, Supervised, default_num_threads, resolve_num_threads, torch_threads

ROOT = Path(__file__).resolve().parent.parent
ENV_KEYS = ('AFFECTNB_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS')

@pytest.fixture
def clean_env(monkeypatch):
    for k in ENV_KEYS: monkeypatch.delenv(k, raising=False)
    n0 = torch.get_num_threads()
    yield monkeypatch
    torch.set_num_threads(n0)

def _loader(n=64, bs=16):
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(n, 5, generator=g), torch.arange(n) % 3
    return [(x[i:i + bs], y[i:i + bs]) for i in range(0, n, bs)]

class _Spy(Supervised):
    "Records torch's intra-op thread count at every training step."
    def __init__(self): super().__init__(); self.seen = []
    def loss(self, model, batch, trainer=None):
        self.seen.append(torch.get_num_threads()); return super().loss(model, batch, trainer)

def test_default_is_half_the_usable_cpus(clean_env):
    n = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()
    assert default_num_threads() == max(1, min(8, n // 2))
    assert default_num_threads(cap=1) == 1

def test_resolution_order(clean_env):
    assert resolve_num_threads(3) == 3 and resolve_num_threads(0) == 0
    clean_env.setenv('AFFECTNB_NUM_THREADS', '2'); clean_env.setenv('OMP_NUM_THREADS', '4')
    assert resolve_num_threads() == 2                      # AFFECTNB_NUM_THREADS wins over OMP_NUM_THREADS
    assert resolve_num_threads(1) == 1                     # the argument wins over the environment
    clean_env.delenv('AFFECTNB_NUM_THREADS')
    assert resolve_num_threads() == 0                      # OMP_NUM_THREADS set: torch already applied it
    clean_env.delenv('OMP_NUM_THREADS'); clean_env.setenv('MKL_NUM_THREADS', '4')
    assert resolve_num_threads() == 0
    clean_env.delenv('MKL_NUM_THREADS')
    for bad in (-1, 1.5, True, '2'):
        with pytest.raises(ConfigError, match='num_threads'): resolve_num_threads(bad)
    clean_env.setenv('AFFECTNB_NUM_THREADS', 'many')
    with pytest.raises(ConfigError, match='AFFECTNB_NUM_THREADS'): resolve_num_threads()

def test_torch_threads_restores(clean_env):
    n0 = torch.get_num_threads()
    with torch_threads(1): assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == n0
    with pytest.raises(RuntimeError):
        with torch_threads(1): raise RuntimeError
    assert torch.get_num_threads() == n0
    with torch_threads(0): assert torch.get_num_threads() == n0

@pytest.mark.parametrize('how', ['arg', 'env'])
def test_trainer_applies_threads_in_fit_and_predict_and_restores(clean_env, how):
    n0 = torch.get_num_threads()
    want = 1 if n0 != 1 else 2
    if how == 'env': clean_env.setenv('AFFECTNB_NUM_THREADS', str(want))
    spy = _Spy()
    t = Trainer(nn.Linear(5, 3), spy, preset='ci', epochs=2, progress=False, device='cpu',
                **(dict(num_threads=want) if how == 'arg' else {}))
    assert t.num_threads == want
    seen_eval = []
    orig = spy.predict
    spy.predict = lambda m, x: (seen_eval.append(torch.get_num_threads()), orig(m, x))[1]
    t.fit(_loader(), eval_loader=_loader())
    assert spy.seen and set(spy.seen) == {want} and set(seen_eval) == {want}
    assert torch.get_num_threads() == n0                  # global state restored after fit
    seen_eval.clear(); t.predict(_loader())
    assert set(seen_eval) == {want} and torch.get_num_threads() == n0

def test_zero_and_caller_choice_leave_torch_alone(clean_env):
    k = 2 if train._TORCH_THREADS_AT_IMPORT == 1 else 1
    torch.set_num_threads(k)                              # a caller's own choice after import: respected
    t = Trainer(nn.Linear(5, 3), _Spy(), preset='ci', epochs=1, progress=False, device='cpu')
    assert t.num_threads == 0
    t.fit(_loader()); assert set(t.objective.seen) == {k} and torch.get_num_threads() == k
    t0 = Trainer(nn.Linear(5, 3), _Spy(), preset='ci', epochs=1, progress=False, device='cpu', num_threads=0)
    t0.fit(_loader()); assert set(t0.objective.seen) == {k}

def test_default_in_a_fresh_process():
    "Without any setting, a fresh process trains with `default_num_threads()` and gets torch's count back after."
    code = ("import torch, torch.nn as nn\n"
            "from affectnb.train import Trainer, Supervised, default_num_threads\n"
            "n0 = torch.get_num_threads(); seen = []\n"
            "class S(Supervised):\n"
            "    def loss(self, m, b, t=None): seen.append(torch.get_num_threads()); return super().loss(m, b, t)\n"
            "t = Trainer(nn.Linear(5, 3), S(), preset='ci', epochs=1, progress=False, device='cpu')\n"
            "t.fit([(torch.randn(8, 5), torch.arange(8) % 3)] * 2)\n"
            "assert t.num_threads == default_num_threads(), (t.num_threads, default_num_threads())\n"
            "assert set(seen) == {default_num_threads()}, seen\n"
            "assert torch.get_num_threads() == n0\n"
            "print('ok')\n")
    env = {k: v for k, v in os.environ.items() if k not in ENV_KEYS}
    env['PYTHONPATH'] = os.pathsep.join([str(ROOT), env.get('PYTHONPATH', '')]); env['CI'] = 'true'
    out = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and out.stdout.strip().endswith('ok'), out.stderr[-2000:]
