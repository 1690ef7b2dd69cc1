"""Every command-line grid (`affectnb run <paper>.<name>`) is the grid its notebook documents as the paper's.

Each artefact notebook with a command-line grid states, in its first cell, the papermill parameters that widen its
defaults to the paper's grid: "**The paper's grid**: `-p labels all ...`" (or "**The paper's grid**: the defaults").
This test runs those parameters through the notebook's own defaults and the library's `check_*` function, the same
way papermill would pass them, and requires the same runs as the command-line grid (issue: `affectnb run leaf.fig6`
once ran 400 labels where the paper and the notebook say 100)."""
import ast, inspect, json, re, shlex
from pathlib import Path
import pytest, yaml

papermill = pytest.importorskip('papermill')
from papermill.cli import _resolve_type
import affectnb.experiments.leaf as leaf, affectnb.experiments.clcl as clcl, affectnb.experiments.sspa_jt as sspa_jt
import affectnb.experiments.pll_fer as pll_fer, affectnb.experiments.lsef as lsef

ROOT = Path(__file__).resolve().parent.parent
PAPERS = {'leaf': (leaf, 'leaf'), 'clcl': (clcl, 'clcl'), 'sspa_jt': (sspa_jt, 'sspa'), 'pll_fer': (pll_fer, 'pll'),
          'lsef': (lsef, 'lsef')}   # paper -> (module, notebook prefix)
GRIDS = [(paper, name) for paper, (mod, _) in PAPERS.items() for name in mod.CLI_GRIDS]
MARK = re.compile(r"\*\*The paper's grid\*\*:\s*(?:`([^`]*)`|(the defaults))")

def notebook(paper:str, name:str)->Path:
    prefix = PAPERS[paper][1]
    found = [p for p in (ROOT/'nbs'/'tables'/f'{prefix}_{name}.ipynb', ROOT/'nbs'/'figures'/f'{prefix}_{name}.ipynb') if p.exists()]
    assert len(found) == 1, f'{paper}.{name}: expected one notebook nbs/tables|figures/{prefix}_{name}.ipynb, found {found}'
    return found[0]

def paper_args(nb:Path)->dict:
    "The papermill parameters after the notebook's \"**The paper's grid**:\" marker, parsed as papermill parses them."
    text = '\n'.join(''.join(c['source']) for c in json.loads(nb.read_text())['cells'] if c['cell_type'] == 'markdown')
    m = MARK.search(text)
    assert m, f"{nb.name}: no \"**The paper's grid**: `-p ...`\" (or \"the defaults\") line in its markdown"
    if m.group(2): return {}
    toks, out = shlex.split(m.group(1)), {}
    while toks:
        flag = toks.pop(0)
        if flag in ('-p', '--parameters'): k, v = toks.pop(0), toks.pop(0); out[k] = _resolve_type(v)
        elif flag in ('-y', '--parameters_yaml'): out.update(yaml.safe_load(toks.pop(0)))
        else: pytest.fail(f'{nb.name}: unexpected token {flag!r} in the paper-grid parameters {m.group(1)!r}')
    return out

def notebook_specs(paper:str, name:str, preset:str)->set:
    nb, check = notebook(paper, name), PAPERS[paper][0].CLI_GRIDS[name][0]
    defaults = {k: (None if v['default'] == 'None' else ast.literal_eval(v["default"]))          # literals only (see test_notebook_params)
                for k, v in papermill.inspect_notebook(str(nb)).items()}
    params = defaults | paper_args(nb) | dict(preset=preset)
    accepted = inspect.signature(check).parameters
    unknown = sorted(set(params) - set(accepted))
    assert not unknown, f'{nb.name}: parameters {unknown} are not arguments of {check.__name__}'
    return {s.key for s in check(**params).specs}

def cli_specs(paper:str, name:str, preset:str)->set:
    check, full, _ = PAPERS[paper][0].CLI_GRIDS[name]
    return {s.key for s in check(preset, None, None, **full).specs}

@pytest.mark.parametrize('paper,name', GRIDS, ids=[f'{p}.{n}' for p, n in GRIDS])
def test_cli_grid_is_the_notebooks_paper_grid(paper, name):
    for preset in ('smoke', 'ci'):
        nb, cli = notebook_specs(paper, name, preset), cli_specs(paper, name, preset)
        assert nb == cli, (f'{paper}.{name} at preset {preset}: the command-line grid has {len(cli)} runs, the notebook\'s '
                           f'paper grid {len(nb)}; {len(cli - nb)} only on the command line, {len(nb - cli)} only in the notebook')

def test_the_check_sees_a_difference():
    "The comparison is not vacuous: leaf Fig. 6 at the notebook's defaults (400 labels) differs from the paper's grid."
    nb = notebook('leaf', 'fig6')
    defaults = {k: (None if v['default'] == 'None' else ast.literal_eval(v["default"])) for k, v in papermill.inspect_notebook(str(nb)).items()}
    assert {s.key for s in leaf.check_fig6(**defaults).specs} != cli_specs('leaf', 'fig6', 'smoke')
    assert paper_args(nb) == {'datasets': ['rafdb', 'ferplus'], 'labels': 'all'}

@pytest.mark.parametrize('paper,name', GRIDS, ids=[f'{p}.{n}' for p, n in GRIDS])
def test_cli_grid_at_the_paper_preset_without_data(paper, name):
    "At preset paper with no data root every grid enumerates (on SynthAffect at the paper's protocol, the smoke preset's image counts in its overrides), as the notebook's; a dry run's limits enter every spec."
    from affectnb.core import get_preset
    smoke = get_preset('smoke', paper)
    specs = PAPERS[paper][0].CLI_GRIDS[name][0]('paper', None, None, **PAPERS[paper][0].CLI_GRIDS[name][1]).specs
    assert specs and all(s.preset == 'paper' and s.overrides.get('n_train') == smoke.n_train for s in specs)
    assert notebook_specs(paper, name, 'paper') == {s.key for s in specs}
    check, full, _ = PAPERS[paper][0].CLI_GRIDS[name]
    dry = check('paper', None, None, **full, max_steps=2, device='cpu').specs
    assert len(dry) == len(specs) and all(s.overrides['max_steps'] == 2 for s in dry) and not {s.key for s in dry} & {s.key for s in specs}

def test_cli_status_plan_and_dry_run_arguments(capsys, tmp_path):
    "`affectnb status` at preset paper without a data root answers (it once ended in a TypeError); plan and dry-run check their arguments."
    from affectnb.runs import main
    assert main(['status', 'leaf.fig6', '--preset', 'paper', '--results-dir', str(tmp_path)]) == 0
    assert 'leaf.fig6: 36 runs, 0 done' in capsys.readouterr().out
    assert main(['plan', 'sspa_jt.table1', '--throughput', '1000']) == 0
    out = capsys.readouterr().out
    assert '6 sized runs, 99,360 optimisation steps' in out and 'arm w64 224px: 1000 images/s, given' in out
    assert main(['plan', 'nope.table1']) == 2 and "expected one of" in capsys.readouterr().err
    assert main(['dry-run']) == 2 and 'needs notebook paths or --all' in capsys.readouterr().err
