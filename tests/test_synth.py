"Fast property tests of affectnb.synth (SynthAffect): determinism, cache, priors, annotation model, bad input."
import numpy as np, pytest, torch
from scipy import stats
from affectnb.core import ConfigError, CLASSES
from affectnb.synth import (SynthAffect, SYNTH_LIKES, CLASS_PRIORS, sample_scenes, render_faces, annotate,
                            majority_label, aux_confusion, apply_standard, au_vectors, PROTOTYPES)

@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch): monkeypatch.setenv('AFFECTNB_CACHE', str(tmp_path/'cache'))

@pytest.mark.parametrize('like', SYNTH_LIKES)
def test_chunk_and_size_independence(like):
    sc = sample_scenes(like, 'train', 24, seed=4, difficulty=1.5)
    a, b = render_faces(sc, 37, chunk=5), render_faces(sc, 37, chunk=24)
    assert torch.equal(a, b)
    assert torch.equal(render_faces(sample_scenes(like, 'train', 9, seed=4, difficulty=1.5), 37), a[:9])

def test_dataset_determinism_and_cache(tmp_path):
    a = SynthAffect('sfew', n=20, img_size=32, seed=7, chunk=3)
    assert a.cache_path().is_relative_to(tmp_path)
    b = SynthAffect('sfew', n=20, img_size=32, seed=7)
    assert torch.equal(a.images, b.images) and np.array_equal(a.targets, b.targets)
    a.cache_path().write_bytes(b'\x00garbage')
    c = SynthAffect('sfew', n=20, img_size=32, seed=7)
    assert torch.equal(c.images, a.images)
    d = SynthAffect('sfew', n=20, img_size=32, seed=7, cache=False, chunk=20)
    assert torch.equal(d.images, a.images)
    # labels do not depend on the image size
    assert np.array_equal(SynthAffect('sfew', n=20, img_size=64, seed=7).targets, a.targets)

@pytest.mark.parametrize('like', SYNTH_LIKES)
def test_prior(like):
    C = 8 if like == 'ferplus' else 7
    y = sample_scenes(like, 'train', 40000, seed=1, n_classes=C)['y']
    p = np.array(CLASS_PRIORS[like][:C], float); p /= p.sum()
    assert stats.chisquare(np.bincount(y, minlength=C), 40000*p).pvalue > 1e-4

def test_intensity_limit_and_votes():
    y = np.arange(8).repeat(100)
    assert np.abs(au_vectors(y, np.full(800, 1e-9))).max() < 1e-8
    rng = np.random.default_rng(0); yy = rng.integers(0, 7, 20000)
    accs = [(majority_label(annotate(yy, np.full(20000, s), seed=3)) == yy).mean() for s in (.2, .5, .8)]
    assert accs[0] < accs[1] < accs[2]
    v = annotate(yy, np.full(20000, .5), seed=3)
    assert (v.sum(1) == 10).all() and v.dtype == np.int64

def test_aux_standard_matches_and_disagreement():
    A = aux_confusion(7); lab = np.repeat(np.arange(7), 8000)
    new = apply_standard(lab, A, np.random.default_rng(2).random(len(lab)))
    M = np.zeros((7, 7)); np.add.at(M, (lab, new), 1); M /= 8000
    assert (np.abs(M - A) < 4*np.sqrt(A*(1 - A)/8000) + 1e-9).all()
    ds = SynthAffect('rafdb', n=5000, cache=False)
    assert 0.10 <= (ds.targets != ds.true_targets).mean() <= 0.30

@pytest.mark.parametrize('kw,msg', [(dict(like='jaffe'), 'expected one of'), (dict(img_size=31), '[32, 224]'),
                                    (dict(img_size=225), '[32, 224]'), (dict(n=0), 'positive integer'),
                                    (dict(difficulty=0.0), '(0, 3]'), (dict(difficulty=-2), '(0, 3]'),
                                    (dict(annotation='x'), 'crowd')])
def test_bad_input(kw, msg):
    with pytest.raises(ConfigError, match=None) as e: SynthAffect(**kw)
    assert msg in str(e.value)
