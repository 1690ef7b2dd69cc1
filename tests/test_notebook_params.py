"""Papermill sees every parameter of every artefact notebook (name, type, default, help) without a warning, every
notebook takes `accept_stale`, and `-p`-style string parameters (`seeds '[0, 1]'`, `seeds 0,1`) reach the library.

Papermill's inference skips any line holding more than one `=`, so a parameters-cell comment must not contain `=`."""
import ast, io, json, logging, os, subprocess, sys, tokenize, warnings
from pathlib import Path
import pytest

papermill = pytest.importorskip('papermill')
ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT/'nbs'/'tables').glob('*.ipynb')) + sorted((ROOT/'nbs'/'figures').glob('*.ipynb'))
CHEAP = ROOT/'nbs'/'tables'/'clcl_table1.ipynb'   # no training: only FLOP counts; records the seeds in its provenance

def _cells(nb:Path): return json.loads(nb.read_text())['cells']

def _parameters_source(nb:Path)->str:
    cells = [c for c in _cells(nb) if 'parameters' in c.get('metadata', {}).get('tags', [])]
    assert len(cells) == 1, f'{nb.name}: expected one cell tagged parameters'
    return ''.join(cells[0]['source'])

def _declared(src:str)->list:
    "(name, annotation, default, comment on the statement's last line) of each assignment, parsed with `ast`."
    comments = {t.start[0]: t.string[1:].strip() for t in tokenize.generate_tokens(io.StringIO(src).readline)
                if t.type == tokenize.COMMENT}
    out = []
    for st in ast.parse(src).body:
        assert isinstance(st, (ast.Assign, ast.AnnAssign)), f'not an assignment: {ast.get_source_segment(src, st)!r}'
        tgts = st.targets if isinstance(st, ast.Assign) else [st.target]
        assert len(tgts) == 1 and isinstance(tgts[0], ast.Name), f'one plain name per assignment: {ast.get_source_segment(src, st)!r}'
        assert st.lineno not in {o[4] for o in out}, f'one assignment per line (line {st.lineno})'
        ann = None if isinstance(st, ast.Assign) else st.annotation
        ann = ann.value if isinstance(ann, ast.Constant) else ast.unparse(ann) if ann is not None else None
        out.append((tgts[0].id, ann, ast.literal_eval(st.value), comments.get(st.end_lineno), st.lineno))
    return out

@pytest.mark.parametrize('nb', NOTEBOOKS, ids=lambda p: p.stem)
def test_papermill_infers_every_parameter(nb, caplog):
    declared = _declared(_parameters_source(nb))
    with caplog.at_level(logging.DEBUG, logger='papermill'), warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter('always')
        inferred = papermill.inspect_notebook(str(nb))
    logged = [r.getMessage() for r in caplog.records if r.name.startswith('papermill') and r.levelno >= logging.WARNING]
    assert not logged, f'{nb.name}: papermill warned {logged}'
    assert not [str(w.message) for w in ws], f'{nb.name}: warnings while inspecting'
    assert list(inferred) == [d[0] for d in declared], f'{nb.name}: papermill infers {list(inferred)}'
    for name, ann, default, comment, _ in declared:
        p = inferred[name]
        assert ann is not None and p['inferred_type_name'] == ann, f'{nb.name}: {name} needs a type annotation papermill reads'
        assert ast.literal_eval(p['default']) == default, f'{nb.name}: {name} default read as {p["default"]!r}'
        assert p['help'] and p['help'] == comment, f'{nb.name}: {name} help {p["help"]!r}, comment {comment!r}'
        assert '=' not in p['help'], f'{nb.name}: {name}: no "=" in a parameter comment (papermill skips the line)'

@pytest.mark.parametrize('nb', NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_takes_accept_stale(nb):
    ps = papermill.inspect_notebook(str(nb))
    assert 'accept_stale' in ps and ps['accept_stale']['default'] == 'False', f'{nb.name}: no accept_stale parameter'
    code = '\n'.join(''.join(c['source']) for c in _cells(nb)
                     if c['cell_type'] == 'code' and 'parameters' not in c.get('metadata', {}).get('tags', []))
    assert 'accept_stale=accept_stale' in code, f'{nb.name}: accept_stale is not passed to the library'

def test_help_notebook_lists_every_parameter():
    nb = ROOT/'nbs'/'tables'/'sspa_table9.ipynb'
    r = subprocess.run([sys.executable, '-m', 'papermill', '--help-notebook', str(nb)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    for name, ann, *_ in _declared(_parameters_source(nb)): assert f'  {name}: {ann} (default ' in r.stdout, name
    assert 'Unable to parse' not in r.stdout + r.stderr

def _provenance(out:Path):
    return json.loads((out/'clcl'/'table1.json').read_text())['provenance']

@pytest.mark.parametrize('seeds', ['[0, 1]', '0,1'])
def test_string_list_parameter_end_to_end(seeds, tmp_path, monkeypatch):
    "A list parameter passed as papermill's `-p` gives it (a string) reaches the library as the list."
    monkeypatch.setenv('AFFECTNB_HOME', str(tmp_path/'home'))
    papermill.execute_notebook(str(CHEAP), str(tmp_path/CHEAP.name), cwd=str(tmp_path), progress_bar=False,
                               parameters={'preset': 'ci', 'seeds': seeds, 'img_size': 32, 'width': 8,
                                           'out_dir': str(tmp_path/'figures'), 'results_dir': str(tmp_path/'results')})
    prov = _provenance(tmp_path/'figures')
    assert prov['preset'] == 'ci' and prov['seeds'] == [0, 1]

def test_papermill_cli_run_is_clean(tmp_path):
    "The papermill command line: no unparsed parameter line, no false 'unknown parameter'."
    env = dict(os.environ, AFFECTNB_HOME=str(tmp_path/'home'), MPLBACKEND='Agg')
    cmd = [sys.executable, '-m', 'papermill', str(CHEAP), str(tmp_path/CHEAP.name), '--no-progress-bar',
           '-p', 'preset', 'ci', '-p', 'seeds', '[0, 1]', '-p', 'data_root', 'None', '-p', 'img_size', '32',
           '-p', 'width', '8', '-p', 'accept_stale', 'False',
           '-p', 'out_dir', str(tmp_path/'figures'), '-p', 'results_dir', str(tmp_path/'results')]
    r = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, env=env)
    assert 'Unable to parse' not in r.stderr and 'Passed unknown parameter' not in r.stderr, r.stderr[-3000:]
    assert r.returncode == 0, r.stderr[-3000:]
    assert _provenance(tmp_path/'figures')['seeds'] == [0, 1]

@pytest.mark.parametrize('nb', NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_takes_max_steps(nb):
    "The dry run of the paper path (`-p max_steps N`) reaches the library from every artefact notebook."
    ps = papermill.inspect_notebook(str(nb))
    assert 'max_steps' in ps and ps['max_steps']['default'] == 'None', f'{nb.name}: no max_steps parameter (default None)'
    code = '\n'.join(''.join(c['source']) for c in _cells(nb)
                     if c['cell_type'] == 'code' and 'parameters' not in c.get('metadata', {}).get('tags', []))
    assert 'max_steps=max_steps' in code, f'{nb.name}: max_steps is not passed to the library'
