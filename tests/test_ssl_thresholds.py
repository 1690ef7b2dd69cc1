"Checkpoint round trip of the adaptive-threshold FixMatch family through the Trainer (weights_only save, resume)."
import pytest, torch
from affectnb.ssl import SSLLoader, get_method
from affectnb.backbones import ResNet18
from affectnb.train import Trainer

KW = dict(dash=dict(warmup=1, update_every=1), flexmatch={}, freematch=dict(w_f=0.01), softmatch={}, adamatch={})

def _loader(views):
    g = torch.Generator().manual_seed(0)
    xl = torch.randint(0, 256, (8, 3, 16, 16), generator=g, dtype=torch.uint8)
    xu = torch.randint(0, 256, (8, 3, 16, 16), generator=g, dtype=torch.uint8)
    return SSLLoader(xl, torch.arange(8) % 7, xu, batch_size=4, uratio=1, steps=2, seed=0, views=views,
                     u_true=(torch.arange(8) + 3) % 7, num_classes=7)

@pytest.mark.parametrize('name', sorted(KW))
def test_checkpoint_resume_restores_state(name, tmp_path):
    obj = get_method(name, **KW[name])
    ckpt = tmp_path / 'run.pt'
    tr = Trainer(ResNet18(7, width=4, small_input=True), obj, 'ci', device='cpu', lr=1e-2, epochs=2, progress=False, ckpt_path=ckpt)
    tr.fit(_loader(obj.views))
    saved = obj.state_dict()
    # a fresh objective: on_fit_start allocates its state, then the checkpoint (all epochs done) is restored into it
    new = get_method(name, **KW[name])
    tr2 = Trainer(ResNet18(7, width=4, small_input=True), new, 'ci', device='cpu', lr=1e-2, epochs=2, progress=False, ckpt_path=ckpt)
    tr2.fit(_loader(new.views), resume=True)
    assert tr2.global_step == tr.global_step == 4
    assert set(new.state_dict()) == set(saved)
    for k, v in saved.items():
        assert torch.equal(new.state_dict()[k], v), (name, k)
    if name == 'flexmatch': assert (new.selected >= -1).all() and new.selected.shape == (8,)
    if name == 'dash': assert torch.isfinite(new.rho_est)
