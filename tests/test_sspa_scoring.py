"SSPA-JT's selection scores all of D in every SS epoch (Alg. 3), whatever the step budget; per-class selection quality."
import numpy as np, pytest, torch
from sklearn.metrics import precision_recall_fscore_support
from affectnb.backbones import ResNet18
from affectnb.datasets import FastLoader
from affectnb.experiments import FixedLengthLoader
from affectnb.sspa import SSPAJT, SSPANet, select_clean, selection_per_class, selection_stats
from affectnb.train import Trainer

N, C = 40, 7

def _data():
    torch.manual_seed(0)
    X = torch.rand(N, 3, 16, 16)
    true_y = torch.arange(N) % C
    dom = (torch.arange(N) >= 20).long()
    obs_y = torch.where((dom == 1) & (torch.arange(N) % 2 == 0), (true_y + 1) % C, true_y)
    return X, obs_y, dom, true_y

class _Check(SSPAJT):
    "Recomputes Alg. 1 by hand over all of D at every SS epoch end, from the thresholds before the scoring pass."
    def on_epoch_end(self, trainer, epoch):
        tau0, m = self.selector.thresholds.clone(), trainer.model
        out = super().on_epoch_end(trainer, epoch)
        if self.stage(epoch) == 'ss':
            X, y, dom, _ = self.data
            was = m.training; m.eval()
            with torch.no_grad(): p = m.forward_experts(X)[0].softmax(-1)
            m.train(was)
            tau = self.momentum*tau0 + (1 - self.momentum)*p.amax(-1)                    # Eq. (3)
            p_y = p.gather(2, y.view(1, N, 1).expand(self.k, N, 1)).squeeze(2)
            torch.testing.assert_close(self.selector.thresholds, tau, atol=1e-5, rtol=0)
            assert torch.equal(self.selector.clean, (p_y > tau).all(0) | (dom == 0))       # Eq. (4), D_T fixed
        self.logged.append(out)
        return out

@pytest.mark.parametrize('steps', [1, 3])     # 1 step of 10 = a quarter of D per epoch; 3 steps: 30 of 40
def test_every_ss_epoch_scores_all_of_D(steps):
    X, y, dom, true_y = _data()
    obj = _Check(k=2, T_S=2, momentum=0.5); obj.data, obj.logged = (X, y, dom, true_y), []
    loader = FixedLengthLoader(FastLoader(X, y, 10, seed=0, extras=[torch.arange(N), dom, true_y]), steps)
    torch.manual_seed(0)
    tr = Trainer(SSPANet(ResNet18(C, width=4, small_input=True), C, k=2), obj, 'ci', device='cpu', optimizer='sgd',
                 lr=0.05, progress=False, epochs=3)
    hist = tr.fit(loader)
    assert [h['n_scored'] for h in hist] == [N, N, 0]          # |D| after each SS epoch, nothing in the PA stage
    assert [h['pa_stage'] for h in hist] == [0.0, 0.0, 1.0]
    assert (obj.selector.thresholds != 1/C).all()              # every sample's thresholds moved, not only those trained on
    assert len(obj.logged) == 3

def test_selection_rule_hand_case():
    "k = 2, C = 3, eta = 0.5: the table of nbs/30_sspa.ipynb."
    P = torch.tensor([[[.7, .2, .1], [.5, .4, .1], [.1, .1, .8]], [[.6, .3, .1], [.2, .7, .1], [.4, .4, .2]]])
    Y, T0, tgt = torch.tensor([0, 1, 2]), torch.tensor([[1/3, 1/3, .9], [1/3, 1/3, .2]]), torch.tensor([False, False, True])
    clean, tau = select_clean(P, Y, T0, 0.5, tgt)
    torch.testing.assert_close(tau, torch.tensor([[1/6 + .35, 1/6 + .25, .85], [1/6 + .3, 1/6 + .35, .3]]))
    assert clean.tolist() == [True, False, True]
    assert select_clean(P, Y, T0, 0.5, tgt, fix_target=False)[0].tolist() == [True, False, False]

def test_per_class_precision_recall_against_sklearn():
    rng = np.random.default_rng(0)
    n = 200
    lb, ag = torch.as_tensor(rng.integers(0, 5, n)), torch.as_tensor(rng.integers(0, 2, n))
    cl, dm = torch.as_tensor(rng.random(n) < .4), torch.as_tensor(rng.random(n) < .8).long()   # some target samples
    pc = selection_per_class(cl, dm, ag, lb, 5)
    aux = dm.numpy() == 1
    for c in range(5):
        m = aux & (lb.numpy() == c)
        p, r, _, _ = precision_recall_fscore_support(ag.numpy()[m], cl.numpy()[m], average='binary', zero_division=0)
        assert np.isclose(pc['precision'][c], p) and np.isclose(pc['recall'][c], r)
    st = selection_stats(cl, dm, ag, lb)                      # the class-mix-only precision by hand
    kept = [(aux & (lb.numpy() == c) & cl.numpy()).sum() for c in range(5)]
    rate = [ag.numpy()[aux & (lb.numpy() == c)].mean() for c in range(5)]
    assert np.isclose(st['sel_precision_mix'], np.dot(kept, rate)/sum(kept))
    sel = aux & cl.numpy()
    assert np.isclose(st['sel_precision'], ag.numpy()[sel].mean())
