"Bad input to affectnb.datasets: each malformed copy raises a DatasetError naming file (and line), or is skipped and counted."
import logging
from pathlib import Path
import numpy as np
import pytest
from PIL import Image
from affectnb.core import ConfigError, DatasetError
from affectnb.datasets import FERPLUS_COLUMNS, load_dataset

AFF_COLS = 'subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,valence,arousal'


def img(p, size=(8, 8)):
    p = Path(p); p.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full(size + (3,), 77, np.uint8)).save(p)


# ---- layout writers: two good entries plus whatever the case adds ----
def rafdb(d, extra, make_images=True):
    d = Path(d); (d/'EmoLabel').mkdir(parents=True)
    lines = ['train_00001.jpg 1', 'train_00002.jpg 4'] + extra
    (d/'EmoLabel/list_patition_label.txt').write_text('\n'.join(lines) + '\n')
    (d/'Image/aligned').mkdir(parents=True)
    if make_images:
        for n in ('train_00001', 'train_00002', 'train_00003'): img(d/f'Image/aligned/{n}_aligned.jpg')
    return d


def fer(d, extra_old, extra_new, header_new=None):
    d = Path(d); d.mkdir(parents=True, exist_ok=True)
    px = ' '.join(['9'] * 2304)
    (d/'fer2013.csv').write_text('emotion,pixels,Usage\n' + f'0,{px},Training\n' * 2 + ''.join(extra_old))
    hdr = header_new or 'Usage,Image name,' + ','.join(FERPLUS_COLUMNS)
    (d/'fer2013new.csv').write_text(hdr + '\n' + 'Training,fer0.png,0,9,0,0,0,0,0,0,1,0\n'
                                    'Training,fer1.png,8,0,2,0,0,0,0,0,0,0\n' + ''.join(extra_new))
    return d


def fer_folder(d, extra):
    d = Path(d); f = d/'data/FER2013Train'; f.mkdir(parents=True)
    for n in ('fer0.png', 'fer1.png', 'fer2.png'): img(f/n, (48, 48))
    rows = ['fer0.png,"(0, 0, 48, 48)",0,9,0,0,0,0,0,0,1,0', 'fer1.png,"(0, 0, 48, 48)",8,0,2,0,0,0,0,0,0,0'] + extra
    (f/'label.csv').write_text('\n'.join(rows) + '\n')
    return d


def affectnet(d, extra):
    d = Path(d)
    for n in ('1/a.jpg', '1/b.jpg', '1/c.jpg'): img(d/'Manually_Annotated_Images'/n, (20, 30))
    rows = ['1/a.jpg,0,0,10,10,1,0.5,0.5', '1/b.jpg,2,2,8,8,6,-2,-2'] + extra   # landmarks inserted below
    rows = [','.join(r.split(',')[:5] + ['1;2'] + r.split(',')[5:]) for r in rows]
    (d/'training.csv').write_text(AFF_COLS + '\n' + '\n'.join(rows) + '\n')
    return d


def caers(d, extra_files=()):
    d = Path(d)
    img(d/'train/Angry/0.png'); img(d/'train/Happy/0.png')
    for f in extra_files:
        p = d/f; p.parent.mkdir(parents=True, exist_ok=True)
        img(p) if p.suffix == '.png' else p.write_text('x')
    return d


def corrupt(p):
    Path(p).write_bytes(b'\xff\xd8\xff\xe0 definitely not a jpeg')


def rafdb_corrupt(d):
    r = rafdb(d, ['train_00003.jpg 2']); corrupt(r/'Image/aligned/train_00003_aligned.jpg'); return r


def affectnet_corrupt(d):
    r = affectnet(d, ['1/c.jpg,0,0,5,5,2,0,0']); corrupt(r/'Manually_Annotated_Images/1/c.jpg'); return r


def fer_misaligned(d):
    return fer(d, [], ['Training,fer2.png,0,9,0,0,0,0,0,0,1,0\n'])


# (id, writer, name, expected message fragment, good entries left when skipping, skipped count)
CASES = [
    ('rafdb-label-out-of-range', lambda d: rafdb(d, ['train_00003.jpg 8']), 'rafdb', 'list_patition_label.txt:3: label', 2, 1),
    ('rafdb-label-zero', lambda d: rafdb(d, ['train_00003.jpg 0']), 'rafdb', 'list_patition_label.txt:3: label', 2, 1),
    ('rafdb-label-not-int', lambda d: rafdb(d, ['train_00003.jpg happy']), 'rafdb', 'list_patition_label.txt:3', 2, 1),
    ('rafdb-malformed-line', lambda d: rafdb(d, ['train_00003.jpg 2 extra']), 'rafdb', "list_patition_label.txt:3: expected '<name>", 2, 1),
    ('rafdb-dotdot', lambda d: rafdb(d, ['../train_00003.jpg 2']), 'rafdb', 'escapes the data root', 2, 1),
    ('rafdb-absolute', lambda d: rafdb(d, ['/etc/train_00003.jpg 2']), 'rafdb', 'absolute', 2, 1),
    ('rafdb-subdir', lambda d: rafdb(d, ['x/train_00003.jpg 2']), 'rafdb', 'bare file name', 2, 1),
    ('rafdb-bad-prefix', lambda d: rafdb(d, ['val_00003.jpg 2']), 'rafdb', "must start with 'train_'", 2, 1),
    ('rafdb-duplicate', lambda d: rafdb(d, ['train_00001.jpg 2']), 'rafdb', 'duplicate entry', 2, 1),
    ('rafdb-missing-image', lambda d: rafdb(d, ['train_00009.jpg 2']), 'rafdb', 'train_00009_aligned.jpg not found', 2, 1),
    ('rafdb-corrupt-image', rafdb_corrupt, 'rafdb', 'list_patition_label.txt:3): cannot read image', 2, 1),
    ('fer-pixel-count', lambda d: fer(d, [f"0,{' '.join(['1'] * 2000)},Training\n"], ['Training,fer2.png,0,9,0,0,0,0,0,0,1,0\n']),
     'ferplus', 'fer2013.csv:4: expected 2304 pixel values', 2, 1),
    ('fer-empty-votes', lambda d: fer(d, [f"0,{' '.join(['1'] * 2304)},Training\n"], ['Training,fer2.png,,,,,,,,,,\n']),
     'ferplus', 'fer2013new.csv:4: empty votes row', 2, 1),
    ('fer-zero-votes', lambda d: fer(d, [f"0,{' '.join(['1'] * 2304)},Training\n"], ['Training,fer2.png,0,0,0,0,0,0,0,0,0,0\n']),
     'ferplus', 'fer2013new.csv:4: empty votes row', 2, 1),
    ('fer-negative-vote', lambda d: fer(d, [f"0,{' '.join(['1'] * 2304)},Training\n"], ['Training,fer2.png,0,11,-1,0,0,0,0,0,0,0\n']),
     'ferplus', 'fer2013new.csv:4: negative vote', 2, 1),
    ('fer-vote-not-int', lambda d: fer(d, [f"0,{' '.join(['1'] * 2304)},Training\n"], ['Training,fer2.png,0,x,0,0,0,0,0,0,0,0\n']),
     'ferplus', 'fer2013new.csv:4: votes', 2, 1),
    ('fer-usage-mismatch', lambda d: fer(d, [f"0,{' '.join(['1'] * 2304)},PublicTest\n"], ['Training,fer2.png,0,9,0,0,0,0,0,0,1,0\n']),
     'ferplus', 'fer2013new.csv:4: Usage', 2, 1),
    ('fer-short-row', lambda d: fer(d, [f"0,{' '.join(['1'] * 2304)},Training\n"], ['Training,fer2.png,0,9,0\n']),
     'ferplus', 'fer2013new.csv:4: expected 12 fields', 2, 1),
    ('fer-folder-bad-box', lambda d: fer_folder(d, ['fer2.png,"(0, 0, 0, 48)",0,9,0,0,0,0,0,0,1,0']),
     'ferplus', 'label.csv:3: face box', 2, 1),
    ('fer-folder-escape', lambda d: fer_folder(d, ['../fer2.png,"(0, 0, 48, 48)",0,9,0,0,0,0,0,0,1,0']),
     'ferplus', 'label.csv:3: path', 2, 1),
    ('fer-folder-missing-png', lambda d: fer_folder(d, ['fer9.png,"(0, 0, 48, 48)",0,9,0,0,0,0,0,0,1,0']),
     'ferplus', 'fer9.png not found', 2, 1),
    ('affectnet-expression-range', lambda d: affectnet(d, ['1/c.jpg,0,0,5,5,11,0,0']), 'affectnet8', 'training.csv:4: expression 11', 2, 1),
    ('affectnet-expression-not-int', lambda d: affectnet(d, ['1/c.jpg,0,0,5,5,happy,0,0']), 'affectnet8', 'training.csv:4: expression', 2, 1),
    ('affectnet-box-nonpositive', lambda d: affectnet(d, ['1/c.jpg,0,0,0,5,2,0,0']), 'affectnet8', 'training.csv:4: face box', 2, 1),
    ('affectnet-box-negative', lambda d: affectnet(d, ['1/c.jpg,-3,0,5,5,2,0,0']), 'affectnet8', 'training.csv:4: face box', 2, 1),
    ('affectnet-box-outside', lambda d: affectnet(d, ['1/c.jpg,25,0,10,5,2,0,0']), 'affectnet8', 'lies outside the 30x20 image', 2, 1),
    ('affectnet-valence-range', lambda d: affectnet(d, ['1/c.jpg,0,0,5,5,2,3.5,0']), 'affectnet8', 'training.csv:4: valence/arousal', 2, 1),
    ('affectnet-escape', lambda d: affectnet(d, ['../c.jpg,0,0,5,5,2,0,0']), 'affectnet8', 'training.csv:4: path', 2, 1),
    ('affectnet-absolute', lambda d: affectnet(d, ['/tmp/c.jpg,0,0,5,5,2,0,0']), 'affectnet8', 'absolute', 2, 1),
    ('affectnet-field-count', lambda d: affectnet(d, ['1/c.jpg,0,0,5,5,2,0']), 'affectnet8', 'training.csv:4: expected 9 fields', 2, 1),
    ('affectnet-corrupt-image', affectnet_corrupt, 'affectnet8', 'training.csv:4): cannot read image', 2, 1),
    ('caers-unknown-class', lambda d: caers(d, ['train/Bored/0.png']), 'caers', "unknown class folder 'Bored'", 2, 1),
    ('caers-not-an-image', lambda d: caers(d, ['train/Happy/notes.txt']), 'caers', 'notes.txt: not an image', 2, 1),
    ('caers-stray-file', lambda d: caers(d, ['train/readme.md']), 'caers', 'unexpected file beside the class folders', 2, 1),
]


@pytest.mark.parametrize('case', CASES, ids=[c[0] for c in CASES])
def test_malformed_raises_then_skips(case, tmp_path, caplog):
    _, write, name, msg, n_good, n_skipped = case
    root = write(tmp_path/'data')
    with pytest.raises(DatasetError, match=None) as e:
        ds = load_dataset(name, root)
        [ds[i] for i in range(len(ds))]             # image problems surface on access with on_error='raise'
    assert msg in str(e.value), str(e.value)
    with caplog.at_level(logging.WARNING, logger='affectnb.datasets'):
        ds = load_dataset(name, root, on_error='skip')
    assert (len(ds), ds.skipped) == (n_good, n_skipped)
    assert any(f'skipped {n_skipped}' in r.getMessage() for r in caplog.records)
    assert msg in ds.skip_reasons[0]
    [ds[i] for i in range(len(ds))]                 # what is left loads


@pytest.mark.parametrize('case', [c for c in CASES if 'corrupt' in c[0] or 'outside' in c[0]], ids=lambda c: c[0])
def test_verify_catches_image_problems_up_front(case, tmp_path):
    _, write, name, msg, *_ = case
    with pytest.raises(DatasetError, match=None) as e: load_dataset(name, write(tmp_path/'d'), verify=True)
    assert msg in str(e.value)


@pytest.mark.parametrize('name,layout', [('rafdb', 'EmoLabel/list_patition_label.txt'), ('ferplus', 'fer2013new.csv'),
                                         ('affectnet7', 'training.csv'), ('affectnet8', 'Manually_Annotated_Images'),
                                         ('caers', 'train/<Class>'), ('sfew', 'Train/<Class>')])
def test_missing_root_names_layout(name, layout, tmp_path, monkeypatch):
    monkeypatch.delenv('AFFECTNB_DATA', raising=False)
    with pytest.raises(DatasetError, match='affectnb cannot download') as e: load_dataset(name)
    assert layout in str(e.value)
    with pytest.raises(DatasetError) as e: load_dataset(name, tmp_path/'nope')
    assert 'does not exist' in str(e.value) and layout in str(e.value)
    (tmp_path/'empty').mkdir()
    with pytest.raises(DatasetError) as e: load_dataset(name, tmp_path/'empty')   # root there, label file missing
    assert 'not found' in str(e.value) and 'Expected layout' in str(e.value)


def test_data_env_var(tmp_path, monkeypatch):
    rafdb(tmp_path/'RAF-DB', [])
    monkeypatch.setenv('AFFECTNB_DATA', str(tmp_path))
    assert load_dataset('rafdb').targets.tolist() == [3, 1]


def test_fer_misaligned_files(tmp_path):
    with pytest.raises(DatasetError, match='different numbers of rows'): load_dataset('ferplus', fer_misaligned(tmp_path))


def test_fer_bad_header(tmp_path):
    r = fer(tmp_path, [], [], header_new='Usage,Image name,neutral,happy')
    with pytest.raises(DatasetError, match=r'fer2013new.csv:1: header'): load_dataset('ferplus', r)


def test_affectnet_headerless_validation(tmp_path):
    r = affectnet(tmp_path, [])
    (r/'validation.csv').write_text('1/a.jpg,0,0,10,10,1;2,3,0.1,0.2\n1/b.jpg,0,0,10,10,1;2,10,0,0\n')
    ds = load_dataset('affectnet8', r, 'test')
    assert ds.targets.tolist() == [3] and ds.dropped == {'no-face': 1} and ds.sources[0].endswith('validation.csv:1')


def test_sfew_unlabelled_targets(tmp_path):
    img(tmp_path/'Test/0001.png'); img(tmp_path/'Train/Happy/a.png'); img(tmp_path/'Val/Sad/b.png')
    u = load_dataset('sfew', tmp_path, 'unlabelled')
    with pytest.raises(DatasetError, match='unlabelled'): u.targets
    assert u[0][1] == -1
    assert load_dataset('sfew', tmp_path, 'test').targets.tolist() == [2]


@pytest.mark.parametrize('kw,msg', [
    (dict(name='rafdb2'), "expected one of ['rafdb'"),
    (dict(name='rafdb', split='val'), "['train', 'test']"),
    (dict(name='sfew', split='Test'), "'unlabelled'"),
    (dict(name='ferplus', label_mode='soft'), "['majority', 'votes', 'candidates']"),
    (dict(name='ferplus', min_votes=0), 'min_votes'),
    (dict(name='rafdb', on_error='ignore'), "['raise', 'skip']"),
    (dict(name='rafdb', label_mode='votes'), "unknown option(s) ['label_mode'] for rafdb"),
    (dict(name='rafdb', img_size=-3), 'img_size'),
    (dict(name='synthetic-rafdb', root='/data'), 'pass root=None'),
    (dict(name='synthetic-cifar'), 'synthetic-rafdb'),
    (dict(name=3), 'must be a string'),
])
def test_config_errors(kw, msg, tmp_path):
    roots = {'rafdb': rafdb(tmp_path/'r', []), 'ferplus': fer(tmp_path/'f', [], [])}
    img(tmp_path/'s/Train/Sad/a.png'); roots['sfew'] = tmp_path/'s'
    kw = dict(kw); name = kw.pop('name'); root = kw.pop('root', roots.get(name))
    with pytest.raises(ConfigError) as e:
        ds = load_dataset(name, root, **kw)
        ds[0]
    assert msg in str(e.value), str(e.value)
