"""clcl Fig. 5 made comparable: block gradient norms over the same run's classifier-input norm cancel a head's gain,
and the figure's grid holds the MSR-only control (CLCL's head without the contrastive losses)."""
import pytest, torch
from affectnb.backbones import ResNet18
from affectnb.clcl import CLCLNet, block_grad_norm_modules
from affectnb.train import GradNormRecorder


def _norms(model, x, v):
    "Gradient norms of a loss linear in the logits, (logits * v).sum(): dL/dlogits = v whatever the head."
    rec = GradNormRecorder(block_grad_norm_modules(model)).attach()
    (model(x)*v).sum().backward()
    s = rec.summary(); rec.detach()
    return s


@pytest.mark.parametrize('msr', [False, True])
def test_normalising_by_the_classifier_input_cancels_a_head_gain(msr):
    torch.manual_seed(0)
    m = CLCLNet(ResNet18(0, width=4, small_input=True), num_classes=7, msr=msr).eval()
    x, v = torch.rand(4, 3, 32, 32), torch.randn(4, 7)
    a = _norms(m, x, v)
    with torch.no_grad(): m.fc.weight.mul_(10.)                  # a head that passes 10x more gradient back
    m.zero_grad(); b = _norms(m, x, v)
    assert set(a) == {'layer1', 'layer2', 'layer3', 'layer4', 'fc_in'}
    for k in ('layer1', 'layer4', 'fc_in'): assert b[k] == pytest.approx(10*a[k], rel=1e-4)   # raw norms: the head's gain
    for k in ('layer1', 'layer2', 'layer3', 'layer4'):
        assert b[k]/b['fc_in'] == pytest.approx(a[k]/a['fc_in'], rel=1e-4)                   # normalised: unchanged


def test_fig5_grid_holds_the_msr_only_control():
    from affectnb.experiments import check_params
    from affectnb.experiments.clcl import clcl_spec
    from affectnb.experiments.clcl_figs import check_fig5
    from affectnb.runs import load_experiments, get_experiment
    g = check_fig5('ci', seeds=(0, 1))
    assert len(g.specs) == 6 and sorted({r[0] for r in g.roles.values()}) == ['baseline', 'clcl', 'msr']
    p = check_params('clcl', 'ci')
    assert clcl_spec(p, 'clcl', 'rafdb', 0, clfm=False, clbs=False) in g.specs     # Table IV's MSR-only row
    load_experiments()
    assert len(get_experiment('clcl.fig5').specs('ci', seeds=[0, 1])) == 6
