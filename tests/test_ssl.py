"affectnb.ssl as a package: the registry across modules, lazy re-exports, checkpoint resume of an objective with state."
import sys, textwrap
import pytest, torch
import affectnb.ssl as S
from affectnb.core import ConfigError
from affectnb.backbones import ResNet18
from affectnb.train import Trainer

OURS = ['supervised', 'pimodel', 'pseudolabel', 'vat', 'uda', 'meanteacher', 'fixmatch', 'defixmatch']

def _pool(n=8, size=16, seed=0):
    g = torch.Generator().manual_seed(seed)
    x_l = torch.randint(0, 256, (n, 3, size, size), generator=g, dtype=torch.uint8)
    x_u = torch.randint(0, 256, (n, 3, size, size), generator=g, dtype=torch.uint8)
    return x_l, torch.arange(n) % 7, x_u, (torch.arange(n) + 3) % 7

def test_registry_lists_names_and_builds_ours():
    with pytest.raises(ConfigError) as e: S.get_method('nope')
    for n in OURS: assert repr(n) in str(e.value)
    for n in OURS: assert isinstance(S.get_method(n), S.SSLObjective) and S.METHODS[n].name == n

def test_missing_sibling_is_skipped_but_broken_sibling_raises(tmp_path, monkeypatch):
    (tmp_path/'_ssl_broken_sibling.py').write_text(textwrap.dedent("""
        import _no_such_package_for_affectnb_tests
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(S, 'SSL_MODULES', ('affectnb.ssl._not_written_yet',))
    with pytest.raises(ConfigError, match=r"modules not available: \['affectnb.ssl._not_written_yet'\]"): S.get_method('nope')
    assert S.get_method('fixmatch').threshold == 0.95
    monkeypatch.setattr(S, 'SSL_MODULES', ('_ssl_broken_sibling',))
    with pytest.raises(ModuleNotFoundError, match='_no_such_package_for_affectnb_tests'): S.get_method('nope')

def test_lazy_reexport():
    from affectnb.ssl import FixMatch, pseudo_label_logs, SSLLoader  # noqa: F401  (defined here)
    with pytest.raises(AttributeError, match="no attribute 'NoSuchThing'"): S.NoSuchThing
    with pytest.raises(ImportError): exec('from affectnb.ssl import NoSuchThing', {})
    for m in S.SSL_MODULES:   # every class a sibling module defines is reachable from the package
        try: mod = __import__(m, fromlist=['_'])
        except ModuleNotFoundError as e:
            if e.name == m: continue
            raise
        for name in getattr(mod, '__all__', []):
            if isinstance(getattr(mod, name), type): assert getattr(S, name) is getattr(mod, name)

def test_meanteacher_resume_restores_teacher(tmp_path):
    x_l, y_l, x_u, u_t = _pool()
    def trainer(resume):
        torch.manual_seed(0)
        obj = S.MeanTeacher()
        t = Trainer(ResNet18(7, width=4, small_input=True), obj, 'ci', device='cpu', progress=False, lr=0.01,
                    ckpt_path=tmp_path/'mt.pt', resume=resume)
        ld = S.SSLLoader(x_l, y_l, x_u, batch_size=4, steps=2, views=obj.views, u_true=u_t)
        return t, ld
    t1, ld = trainer(False); t1.fit(ld, epochs=2)
    t2, ld2 = trainer(True); t2.fit(ld2, epochs=2)           # everything done: restores, trains nothing
    for a, b in zip(t1.objective.teacher.module.state_dict().values(), t2.objective.teacher.module.state_dict().values()):
        assert torch.equal(a, b)
    assert len(t2.history) == 2 and 'pl_acc_all' in t2.history[-1]

def test_loader_under_rank_striding():
    "Under DDP without a `shard` method the trainer strides batches; the objective still finds the SSLLoader's sizes."
    from affectnb.train import shard_loader
    x_l, y_l, x_u, _ = _pool()
    ld = S.SSLLoader(x_l, y_l, x_u, batch_size=2, steps=4)
    st = shard_loader(ld, 1, 2)
    assert len(st) == 2 and getattr(st, 'loader', None) is ld
    obj = S.FixMatch()
    class _T: train_loader, model = st, None
    obj.on_fit_start(_T); assert (obj.num_classes, obj.n_labelled, obj.n_unlabelled) == (7, 8, 8)
