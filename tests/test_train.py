"Extra checks of affectnb.train beyond the notebook's: checkpoint contents, config errors, DDP proxy, progress bars."
import functools
import pytest, torch, torch.nn as nn, torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
from affectnb.core import AffectnbError, ConfigError
from affectnb.train import (DDPModel, NonFiniteError, Supervised, Trainer, load_checkpoint, to_device, shard_loader)

def _data(n=96):
    g = torch.Generator().manual_seed(0)
    y = torch.arange(n) % 3
    return torch.randn(3, 5, generator=g)[y] * 3 + torch.randn(n, 5, generator=g), y

def _loader(bs=16, shuffle=True):
    return DataLoader(TensorDataset(*_data()), batch_size=bs, shuffle=shuffle)

def _net():
    torch.manual_seed(0); return nn.Sequential(nn.Linear(5, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))

def test_checkpoint_contents_weights_only(tmp_path):
    t = Trainer(_net(), preset='ci', epochs=2, ema=0.9, ckpt_path=tmp_path/'c.pt', progress=False)
    t.fit(_loader(), eval_loader=_loader(shuffle=False))
    s = torch.load(tmp_path/'c.pt', weights_only=True)
    assert {'model', 'optimizer', 'scheduler', 'ema', 'objective', 'rng', 'history', 'epoch', 'global_step'} <= set(s)
    assert s['epoch'] == 2 and s['global_step'] == 12 and len(s['history']) == 2
    assert 'eval_accuracy' in s['history'][-1] and 'ema_eval_accuracy' in s['history'][-1]
    # BatchNorm buffers are copied into the EMA model, not averaged
    torch.testing.assert_close(s['ema']['1.running_mean'], s['model']['1.running_mean'])
    assert [p.name for p in tmp_path.iterdir()] == ['c.pt']

def test_resume_with_other_epochs_fails(tmp_path):
    Trainer(_net(), preset='ci', epochs=1, ckpt_path=tmp_path/'c.pt', progress=False).fit(_loader())
    t = Trainer(_net(), preset='ci', epochs=3, ckpt_path=tmp_path/'c.pt', progress=False)
    with pytest.raises(ConfigError, match='written for epochs=1'): t.fit(_loader(), resume=True)

def test_resume_without_file_starts_fresh(tmp_path):
    h = Trainer(_net(), preset='ci', epochs=2, ckpt_path=tmp_path/'new.pt', progress=False).fit(_loader(), resume=True)
    assert len(h) == 2 and load_checkpoint(tmp_path/'new.pt')['epoch'] == 2

class _InfGrad(Supervised):
    "Finite loss (0 added) whose gradient is infinite: d/dw sqrt(w - w) at 0."
    def loss(self, model, batch, trainer):
        l, logs = super().loss(model, batch, trainer)
        w = model[0].weight
        return (l + torch.sqrt(w - w.detach()).sum() if trainer.global_step == 2 else l), logs

def test_nonfinite_gradient_norm_stops():
    t = Trainer(_net(), _InfGrad(), preset='ci', epochs=1, grad_clip=1.0, progress=False)
    with pytest.raises(NonFiniteError, match=r'non-finite gradient norm .* at epoch 0, step 2'): t.fit(_loader())
    assert all(torch.isfinite(p).all() for p in t.model.parameters())
    assert issubclass(NonFiniteError, AffectnbError)

def test_ddp_proxy_routes_model_methods():
    calls = []
    class Net(nn.Module):
        def forward(self, x): return x + 1
        def features(self, x): return x * 2
    net = Net()
    def fake_ddp(*a, _method='forward', **k): calls.append(_method); return getattr(net, _method)(*a, **k)
    m = DDPModel(fake_ddp, net)
    assert m(torch.ones(1)).item() == 2 and m.features(torch.ones(1)).item() == 2
    assert calls == ['forward', 'features']
    m.eval(); assert not net.training and calls == ['forward', 'features']   # nn.Module methods go to the module
    assert list(m.parameters()) == []

def test_progress_bars_run(monkeypatch, capsys):
    monkeypatch.delenv('CI', raising=False)
    t = Trainer(_net(), preset='ci', epochs=2, progress=True)
    assert t.progress
    t.fit(_loader())
    assert 'epochs' in capsys.readouterr().err
    monkeypatch.setenv('CI', 'true'); assert not Trainer(_net(), preset='ci').progress

def test_bad_loaders():
    t = Trainer(_net(), preset='ci', progress=False)
    with pytest.raises(ConfigError, match='must have a length'): t.fit(iter([]))
    with pytest.raises(ConfigError, match='yields no batch'): t.fit([])

def test_fastloader_trains():
    "The Trainer takes affectnb.datasets.FastLoader (uint8 images in memory): 4 steps per epoch, throughput logged."
    from affectnb.datasets import FastLoader
    x = (torch.rand(64, 3, 16, 16) * 255).to(torch.uint8); y = torch.arange(64) % 7
    torch.manual_seed(0); net = nn.Sequential(nn.Flatten(), nn.Linear(3 * 16 * 16, 7))
    t = Trainer(net, preset='ci', epochs=2, progress=False)
    h = t.fit(FastLoader(x, y, batch_size=16, shuffle=True, seed=0))
    assert len(h) == 2 and t.global_step == 8 and h[0]['images_per_s'] > 0
    assert all(torch.isfinite(torch.tensor(r['train_loss'])) for r in h)
