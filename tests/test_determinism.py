"""End to end determinism: the same `train_and_evaluate` spec (preset 'ci', SynthAffect), run twice in one process,
gives exactly the same metrics, confusion matrix and training curves; another seed gives another result.

Pinned to the CPU (device='cpu'): bit-for-bit equality is what the CPU path promises; on CUDA `seed_everything` only
warns about non-deterministic kernels."""
import pytest

TIMING = {'time', 'steps_per_s', 'images_per_s'}   # wall-clock fields of a curve entry: the only ones allowed to differ

def _run(seed:int)->dict:
    "The whole spec, from the parameters and the data (regenerated each time) to the evaluation."
    from affectnb.experiments import check_params, get_source, train_and_evaluate
    # ci with 2 epochs (two points per curve) on 64 training images (2 steps of 32 per epoch), to stay fast
    params = check_params('generic', 'ci', device='cpu', overrides=dict(epochs=2, n_train=64))
    tr, te = get_source('rafdb', params, 'train'), get_source('rafdb', params, 'test')
    return train_and_evaluate(tr, te, params, seed=seed)

def _curves(res:dict)->list:
    return [{k: v for k, v in h.items() if k not in TIMING} for h in res['curves']]

@pytest.fixture(scope='module')
def runs():
    return _run(0), _run(0), _run(1)

def test_same_spec_same_result(runs):
    a, b, _ = runs
    assert a['metrics'] == b['metrics']                       # every metric, exactly (floats compared with ==)
    assert a['confusion'] == b['confusion'] and a['per_class_recall'] == b['per_class_recall']
    assert a.get('metrics_true') == b.get('metrics_true')
    assert (a['n_train'], a['n_test']) == (b['n_train'], b['n_test']) == (64, 96)
    ca, cb = _curves(a), _curves(b)
    assert len(ca) == 2 and {'epoch', 'lr', 'train_loss', 'train_acc'} <= set(ca[0])
    assert ca == cb                                            # train loss/accuracy and lr per epoch, exactly
    assert set(a) == set(b) and all(a[k] == b[k] for k in a if k not in ('curves', 'wall_time'))
    assert sum(map(sum, a['confusion'])) == 96

def test_other_seed_other_result(runs):
    "The check above can fail: the seed reaches the result (init, data order, augmentation)."
    a, _, c = runs
    assert [h['train_loss'] for h in _curves(a)] != [h['train_loss'] for h in _curves(c)]
    assert a['confusion'] != c['confusion']
