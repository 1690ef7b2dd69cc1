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

@pytest.mark.parametrize('nb', NOTEBOOKS, ids=lambda p: p.stem)
def test_artefact_notebook_runs_at_ci(nb, tmp_path, monkeypatch):
    monkeypatch.setenv('AFFECTNB_HOME', str(tmp_path/'home'))
    out = _run(nb, tmp_path)
    for f in expected_outputs(nb, out):
        assert f.exists(), f'{nb.name} did not write {f}'
        if f.suffix == '.json':
            rec = json.loads(f.read_text())
            assert 'provenance' in rec and rec['provenance'].get('preset') == 'ci', f'{f}: provenance must name the preset'

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
