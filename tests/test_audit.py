"""The audit of the papers' own numbers (affectnb.audit): every quote is the paper's, every check evaluates, and the
committed figures/audit.{md,json} are what the current checks compute."""
import json, re
from pathlib import Path
import pytest
from affectnb.audit import audit, audit_markdown, checks, evaluate, summary, Check, Ref
from affectnb.reference import PAPERS

ROOT = Path(__file__).resolve().parent.parent
PAPERS_DIR = ROOT.parent/'shared'/'papers'

def _norm(s:str)->str: return re.sub(r'\s+', ' ', s).strip()

@pytest.mark.parametrize('paper', PAPERS)
def test_every_quote_is_verbatim(paper):
    "A check's quote occurs in the paper text (whitespace collapsed): the audit never puts words in a paper's mouth."
    f = PAPERS_DIR/f'{paper}.md'
    if not f.exists(): pytest.skip(f'{f} (the paper text) is absent')
    text = _norm(f.read_text(encoding='utf-8'))
    missing = [c.id for c in checks(paper) if c.quote and _norm(c.quote) not in text]
    assert not missing, f'quotes not found in {f.name}: {missing}'

def test_every_paper_has_checks_and_findings():
    s = summary(audit())
    assert list(s) == list(PAPERS)
    for p, v in s.items(): assert v['checks'] >= 20 and v['inconsistent'] >= 1, (p, v)

def test_known_inconsistencies_are_found():
    "Disagreements found by hand in the papers (the issue's examples), each recomputed from the printed cells."
    f = {(r['paper'], r['id']): r for r in audit()}
    r = f['lsef', 'table1-uar-m3dfel']; assert not r['consistent'] and abs(r['recomputed'] - 391.41/7) < 1e-9
    r = f['pll_fer', 'sec4.3.1-gain-scan-affectnet-8']; assert not r['consistent'] and abs(r['recomputed'] - (64.12 - 61.73)) < 1e-9
    r = f['pll_fer', 'sec4.3.1-gain-drfer-ferplus']; assert not r['consistent'] and abs(r['recomputed'] + 0.80) < 1e-9
    assert not f['pll_fer', 'table4-headline-ge-table8-raf-db']['consistent']
    r = f['sspa_jt', 'sec4.3-r18-comb-drop']; assert not r['consistent'] and abs(r['recomputed'] - 1.63) < 1e-9
    assert not f['leaf', 'table1-marks-ferplus-400']['consistent']

def test_a_consistent_check_passes_and_a_wrong_one_fails():
    "The same computation with the printed number changed flips the verdict: the checks can fail."
    ok = Check('clcl', 't', 'difference', 'x', cells=(Ref('table7', 'Ours', 'RAF-DB'), Ref('table7', 'Ours', 'RAF-DB')), printed=0.0, decimals=2)
    assert evaluate(ok)['consistent']
    assert not evaluate(Check(**{**ok.__dict__, 'printed': 0.05}))['consistent']

def test_committed_audit_is_current():
    "figures/audit.json holds exactly what the checks compute now (regenerate with `affectnb audit` from a clean commit)."
    f = ROOT/'figures'/'audit.json'
    if not f.exists(): pytest.fail(f'{f} is missing; run `affectnb audit` from a clean commit and commit it')
    rec = json.loads(f.read_text())
    now = json.loads(json.dumps(audit(), default=str))
    assert rec['findings'] == now, 'figures/audit.json is stale: run `affectnb audit` from a clean commit and commit it'
    assert (ROOT/'figures'/'audit.md').read_text() == audit_markdown(audit())
