"The committed outputs in figures/ were made from a clean commit of this history, by the current code, from fresh runs."
import json, shutil, subprocess
from pathlib import Path
import pytest
from affectnb.runs import figure_status, output_state

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT/'figures'

def _git(*args):
    return subprocess.run(['git', *args], cwd=ROOT, capture_output=True, text=True)

def _history_available()->str|None:
    "Why the commits cannot be checked here, or None."
    if shutil.which('git') is None: return 'git is not installed'
    if _git('rev-parse', 'HEAD').returncode: return f'{ROOT} is not a git checkout (e.g. an sdist)'
    if _git('rev-parse', '--is-shallow-repository').stdout.strip() == 'true': return 'a shallow clone lacks the history'
    return None

OUTPUTS = sorted(FIGURES.glob('**/*.json'))

def test_there_are_committed_outputs():
    "Each implemented paper has committed outputs (a paper's outputs are removed only when they cannot be regenerated)."
    for paper in ('leaf', 'sspa_jt', 'clcl', 'pll_fer', 'lsef'):
        assert len(list((FIGURES/paper).glob('*.json'))) >= 4, f'expected the committed outputs of {paper} under {FIGURES}'

@pytest.mark.skipif(_history_available() is not None, reason=str(_history_available()))
def test_every_committed_output_is_fresh():
    "Fails on an output from a dirty tree, from a commit that is not an ancestor of HEAD, or from other code."
    rows = figure_status(FIGURES, ROOT)
    bad = [f"{r['path'].relative_to(FIGURES)}: {r['state']} ({'; '.join(r['reasons'])})" for r in rows if r['state'] != 'fresh']
    assert not bad, ('outputs not made from a clean commit by the current code; regenerate them from a clean commit '
                     '(commit the code, run the notebooks, commit figures/):\n' + '\n'.join(bad))

def test_every_output_with_runs_lists_their_fingerprints():
    "An output built from runs names their code fingerprints, commits and environments (runs_provenance)."
    for f in OUTPUTS:
        prov = json.loads(f.read_text())['provenance']
        if prov.get('runs'):
            assert prov.get('code_fingerprints') and prov.get('commits') and prov.get('environments'), f
            assert prov.get('n_found') == prov.get('n_runs'), f'{f}: {prov.get("n_found")} of {prov.get("n_runs")} runs found'
        assert prov.get('code_fingerprint'), f'{f}: no fingerprint of the code that assembled it'

def test_the_check_can_fail(tmp_path):
    "A copy of a committed output claiming a dirty tree, a foreign commit or other code is refused."
    if not OUTPUTS: pytest.skip('no committed outputs')
    prov = json.loads(OUTPUTS[0].read_text())['provenance']
    assert output_state(dict(prov, git_commit=str(prov.get('git_commit')) + '+dirty'), ROOT)[0] == 'dirty'
    fp = dict(hash='0'*16, modules={'affectnb.train': '0'*16})
    assert output_state(dict(prov, code_fingerprint=fp), ROOT)[0] == 'stale'
    if _history_available() is None:
        assert output_state(dict(prov, git_commit='f'*40), ROOT)[0] == 'stale'
