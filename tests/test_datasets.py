"affectnb.datasets end to end: SynthAffect's on-disk layouts read back by the real loaders, DataLoader use, subsets."
import numpy as np
import pytest
import torch
from PIL import Image
from torch.utils.data import DataLoader
from affectnb.core import class_names
from affectnb.datasets import (FastLoader, Indexed, JointDataset, SubsetDataset, fraction_subset, labelled_split,
                               load_dataset, remove_class, to_tensors)


def _rafdb(d, n=14):
    (d/'EmoLabel').mkdir(parents=True); (d/'Image/aligned').mkdir(parents=True)
    (d/'EmoLabel/list_patition_label.txt').write_text(''.join(f'train_{i:05d}.jpg {1 + i % 7}\n' for i in range(n)))
    for i in range(n):
        Image.fromarray(np.full((10, 10), 20 * (i % 7), np.uint8), 'L').save(d/f'Image/aligned/train_{i:05d}_aligned.jpg')
    return d


def test_dataloader_workers_and_subsets(tmp_path):
    ds = load_dataset('rafdb', _rafdb(tmp_path), img_size=12)
    lab, unl = labelled_split(ds, 7, seed=0)
    assert isinstance(lab, SubsetDataset) and sorted(lab.targets.tolist()) == list(range(7))
    assert [p for p in lab.paths] == [ds.paths[i] for i in lab.indices]          # per-sample attributes follow
    assert lab.sources[0] == ds.sources[lab.indices[0]]
    xb, yb = next(iter(DataLoader(lab, batch_size=7, num_workers=2)))
    assert xb.shape == (7, 3, 12, 12) and xb.dtype == torch.uint8 and yb.tolist() == lab.targets.tolist()
    x, y, i = next(iter(DataLoader(Indexed(unl), batch_size=3)))
    assert i.tolist() == [0, 1, 2] and y.tolist() == unl.targets[:3].tolist()


def test_stratified_fraction_matches_class_shares():
    class D(torch.utils.data.Dataset):
        classes = class_names(7)
        def __init__(self): self.targets = np.repeat(np.arange(7), [500, 300, 100, 50, 30, 15, 5])
        def __len__(self): return len(self.targets)
        def __getitem__(self, i): return torch.zeros(3, 2, 2, dtype=torch.uint8), int(self.targets[i])
    d = D()
    for p in (3, 10, 20, 50, 100):
        f = fraction_subset(d, p, seed=1)
        want = np.bincount(d.targets) * p / 100
        assert len(f) == round(len(d) * p / 100)
        assert np.abs(np.bincount(f.targets, minlength=7) - want).max() < 1    # largest remainder: within one
    assert len(set(fraction_subset(d, 10, seed=1).indices) ^ set(fraction_subset(d, 10, seed=2).indices)) > 0
    r = remove_class(d, 'happy', 0.1, seed=0)
    assert np.bincount(r.targets, minlength=7)[1] == 30 and len(r) == len(d) - 270


def test_fastloader_reproducible_across_instances():
    X = torch.randint(0, 255, (20, 3, 4, 4), dtype=torch.uint8); Y = torch.arange(20) % 7
    noise = lambda x, g: x + 0.01 * torch.randn(x.shape, generator=g)
    a = [b[0] for b in FastLoader(X, Y, 6, seed=3, augment=noise)]
    b = [b[0] for b in FastLoader(X, Y, 6, seed=3, augment=noise)]
    c = [b[0] for b in FastLoader(X, Y, 6, seed=4, augment=noise)]
    assert all(torch.equal(u, v) for u, v in zip(a, b)) and not torch.equal(a[0], c[0])


LAYOUTS = [('rafdb', 'rafdb', None), ('ferplus', 'ferplus', None), ('ferplus', 'ferplus', 'generator'),
           ('affectnet', 'affectnet8', None), ('caers', 'caers', None), ('sfew', 'sfew', None)]


@pytest.mark.parametrize('layout,name,variant', LAYOUTS, ids=[f'{l[0]}-{l[2] or "default"}' for l in LAYOUTS])
def test_write_layout_round_trip(layout, name, variant, tmp_path, monkeypatch):
    "SynthAffect written in a real layout and read back by the real loader gives SynthAffect's own labels."
    synth = pytest.importorskip('affectnb.synth', reason='affectnb.synth not written yet')
    from affectnb.datasets import ferplus_majority
    from pathlib import Path
    monkeypatch.setenv('AFFECTNB_CACHE', str(tmp_path/'cache'))
    root = tmp_path/layout
    kw = dict(variant=variant) if variant else {}
    size = None if layout == 'ferplus' else 32                              # small images keep the test fast
    synth.write_layout(root, layout, n_train=24, n_test=12, img_size=size, seed=0, **kw)
    C = 8 if layout in ('affectnet', 'ferplus') else 7
    for split, n in (('train', 24), ('test', 12)):
        s = synth.SynthAffect(layout, split, n=n, img_size=size, seed=0, n_classes=C, cache=False)
        ds = load_dataset(name, root, split, **(dict(label_mode='votes') if name == 'ferplus' else {}))
        assert ds.skipped == 0 and ds.classes == tuple(s.classes) and len(ds) == n
        if name == 'ferplus':
            assert np.array_equal(ds.votes, np.asarray(s.votes))           # every vote survives the round trip
            m = load_dataset(name, root, split)                              # FERPlus majority rule
            V10 = np.zeros((n, 10), np.int64); V10[:, :8] = np.asarray(s.votes)[:, [0, 1, 3, 2, 6, 5, 4, 7]]
            keep, y = ferplus_majority(V10)
            assert len(m) == keep.sum() and np.array_equal(m.targets, np.asarray(s.targets)[keep])
            if variant is None:
                assert ds.dropped == {'empty_image_name': 1}
                assert torch.equal(ds[3][0], s.images[3])                      # pixels exact (CSV is lossless)
        elif name in ('caers', 'sfew'):
            idx = [int(Path(p).stem) for p in ds.paths]                       # files are <index>.png per class
            assert np.array_equal(ds.targets, np.asarray(s.targets)[idx])
            assert torch.equal(ds[0][0], s.images[idx[0]])                     # PNG is lossless
        else:
            assert np.array_equal(ds.targets, np.asarray(s.targets))
            assert ds[0][0].shape == s.images[0].shape                         # face box crops back to the face
        if name == 'affectnet8':
            assert ds.dropped == {'uncertain': 1}
            np.testing.assert_allclose(ds.valence, np.asarray(s.valence), atol=1e-5)
            np.testing.assert_allclose(ds.arousal, np.asarray(s.arousal), atol=1e-5)
