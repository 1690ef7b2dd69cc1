"""The claims ledger (affectnb.claims): every quote is the paper's, every claim names runs its grid has and cells its
paper prints, and a committed figures/claims.json (if any) was written by the current rule."""
import json, re
from pathlib import Path
import pytest
from affectnb.claims import claims, side_specs, _paper_effect, ledger_markdown, MIN_SEEDS
from affectnb.reference import PAPERS

ROOT = Path(__file__).resolve().parent.parent
PAPERS_DIR = ROOT.parent/'shared'/'papers'

def _norm(s:str)->str: return re.sub(r'\s+', ' ', s).strip()

@pytest.mark.parametrize('paper', PAPERS)
def test_claims_quote_the_paper_and_resolve(paper):
    cs = claims(paper)
    assert len(cs) >= 4, f'{paper}: {len(cs)} claims'
    for c in cs:
        assert len(side_specs(c.a, 'smoke', range(MIN_SEEDS))) == MIN_SEEDS and len(side_specs(c.b, 'smoke', range(MIN_SEEDS))) == MIN_SEEDS
        if c.paper_cells: assert _paper_effect(c)['diff'] != 0, c.id
    f = PAPERS_DIR/f'{paper}.md'
    if not f.exists(): pytest.skip(f'{f} (the paper text) is absent')
    text = _norm(f.read_text(encoding='utf-8'))
    missing = [c.id for c in cs if c.quote and _norm(c.quote) not in text]
    assert not missing, f'quotes not found in {f.name}: {missing}'

def test_committed_ledger_renders_as_committed():
    "figures/claims.md is the rendering of figures/claims.json by the current code (the rule and its wording)."
    js, md = ROOT/'figures'/'claims.json', ROOT/'figures'/'claims.md'
    if not js.exists(): pytest.skip('no committed ledger yet')
    rows = json.loads(js.read_text())['claims']
    assert md.read_text() == ledger_markdown(rows)
