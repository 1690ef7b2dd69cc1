"Every table and figure notebook runs through papermill at preset='ci' and writes its outputs."
import json
from pathlib import Path
import pytest

papermill = pytest.importorskip('papermill')
ROOT = Path(__file__).resolve().parent.parent
PAPER_OF = {'leaf': 'leaf', 'sspa': 'sspa_jt', 'clcl': 'clcl', 'pll': 'pll_fer', 'lsef': 'lsef'}
NOTEBOOKS = sorted((ROOT/'nbs'/'tables').glob('*.ipynb')) + sorted((ROOT/'nbs'/'figures').glob('*.ipynb'))

def expected_outputs(nb:Path, out:Path):
    "`nbs/tables/sspa_table9.ipynb` writes `<out>/sspa_jt/table9.{md,json}`; a figure `<out>/<paper>/figN.{png,json}`."
    prefix, name = nb.stem.split('_', 1)
    d = out/PAPER_OF[prefix]
    return [d/f'{name}.md', d/f'{name}.json'] if nb.parent.name == 'tables' else [d/f'{name}.png', d/f'{name}.json']

def _run(nb, tmp_path, **params):
    out = tmp_path/'figures'
    papermill.execute_notebook(str(nb), str(tmp_path/nb.name), cwd=str(tmp_path), progress_bar=False,
                               parameters={'preset': 'ci', 'out_dir': str(out), 'results_dir': str(tmp_path/'results'), **params})
    return out

def expected_n(rec:dict)->int:
    "How many runs each reproduced cell of a table averages: one per seed the notebook ran with."
    return len(rec['provenance']['seeds'])

def count_problems(rec:dict, f:Path)->list:
    "Every way the JSON `rec` at `f` shows a missing or mis-counted run (empty: none)."
    pv, bad = rec['provenance'], []
    if 'n_runs' in pv or 'n_found' in pv:
        if pv.get('n_found') != pv.get('n_runs'): bad.append(f"{f.name}: found {pv.get('n_found')} of the {pv.get('n_runs')} runs its grid asked for")
    if 'reproduced' not in rec: return bad
    assert 'n_runs' in pv and 'seeds' in pv, f'{f}: a table must record its seeds and run counts'
    n = expected_n(rec)
    for row, r in rec['reproduced'].items():
        for col, cell in r['cells'].items():
            if cell is None: continue
            if cell['n'] is None and pv['n_runs'] == 0: continue       # measured, not trained (e.g. Params/FLOPs)
            if cell['n'] != n: bad.append(f"{f.name}: cell ({row!r}, {col!r}) has n={cell['n']}, expected {n}")
    return bad

@pytest.mark.parametrize('nb', NOTEBOOKS, ids=lambda p: p.stem)
def test_artefact_notebook_runs_at_ci(nb, tmp_path, monkeypatch):
    """The notebook runs at ci and writes its outputs; every run its grid asked for was found (n_found == n_runs) and
    every reproduced table cell averages one run per seed of the ci preset (read from the provenance)."""
    monkeypatch.setenv('AFFECTNB_HOME', str(tmp_path/'home'))
    from affectnb.core import get_preset
    ci_seeds = get_preset('ci', PAPER_OF[nb.stem.split('_', 1)[0]]).seeds
    out = _run(nb, tmp_path)
    problems = []
    for f in expected_outputs(nb, out): assert f.exists(), f'{nb.name} did not write {f}'
    for f in sorted(out.rglob('*.json')):          # the expected JSON and any other a notebook writes (clcl table7: table8)
        rec = json.loads(f.read_text())
        assert 'provenance' in rec and rec['provenance'].get('preset') == 'ci', f'{f}: provenance must name the preset'
        if 'seeds' in rec['provenance']:   # no seeds parameter given: the paper's ci preset's
            assert rec['provenance']['seeds'] == list(ci_seeds), f"{f}: seeds {rec['provenance']['seeds']}, ci has {ci_seeds}"
        problems += count_problems(rec, f)
    assert not problems, '\n'.join(problems)

def test_count_problems_catches_missing_and_miscounted_runs():
    "The run-count check of test_artefact_notebook_runs_at_ci can fail: a short cell, a missing run, a stray None n."
    cell = lambda n: dict(mean=50.0, std=None if n == 1 else 1.0, n=n)
    rec = lambda cells, n_runs=2, n_found=2: dict(reproduced={'A': dict(cells=cells)},
                                                    provenance=dict(seeds=[0, 1], n_runs=n_runs, n_found=n_found))
    f = Path('t.json')
    assert count_problems(rec({'x': cell(2), 'y': None}), f) == []
    assert 'has n=1, expected 2' in count_problems(rec({'x': cell(1)}), f)[0]
    assert 'found 1 of the 2 runs' in count_problems(rec({'x': cell(2)}, n_found=1), f)[0]
    assert count_problems(rec({'x': cell(None)}), f)                         # n=None only where nothing was trained
    assert count_problems(rec({'x': cell(None)}, n_runs=0, n_found=0), f) == []
    assert 'found 3 of the 4' in count_problems(dict(data={}, provenance=dict(n_runs=4, n_found=3)), f)[0]   # a figure
    assert count_problems(dict(data={}, provenance=dict(preset='ci')), f) == []                                  # no grid

@pytest.mark.parametrize('nb', NOTEBOOKS[:1], ids=lambda p: p.stem)
def test_invalid_parameter_fails_early_with_allowed_values(nb, tmp_path, monkeypatch):
    monkeypatch.setenv('AFFECTNB_HOME', str(tmp_path/'home'))
    with pytest.raises(papermill.PapermillExecutionError) as e:
        _run(nb, tmp_path, preset='fast')
    assert "expected one of ['ci', 'smoke', 'paper']" in str(e.value)
    assert e.value.exec_count <= 3, 'a bad parameter must fail in the first code cells'

def test_every_artefact_notebook_is_thin():
    "Artefact notebooks hold a parameters cell and a few calls: no exported code, no function definitions."
    for nb in NOTEBOOKS:
        cells = json.loads(nb.read_text())['cells']
        code = [''.join(c['source']) for c in cells if c['cell_type'] == 'code']
        assert any('parameters' in c.get('metadata', {}).get('tags', []) for c in cells), f'{nb.name}: no parameters cell'
        for src in code:
            assert '#| export' not in src and 'def ' not in src and 'class ' not in src, f'{nb.name}: logic belongs in the library'
        assert sum(len(s.splitlines()) for s in code) <= 25, f'{nb.name}: too much code for a thin notebook'
