"""Render README.md from nbs/index.ipynb (nbdev_readme needs quarto, which cannot be installed here).
Markdown cells are copied in order (the marker <!-- results-at-a-glance --> becomes the table of
affectnb.report.glance_markdown, read from figures/); code cells marked `#| hide` are dropped, others are shown as code.
`python tools/make_readme.py --check` exits 1 when README.md is out of date."""
import json, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
GLANCE = '<!-- results-at-a-glance -->'   # replaced by the table of affectnb.report.glance_markdown

def _glance() -> str:
    sys.path.insert(0, str(root))
    from affectnb.report import glance_markdown
    return glance_markdown(root/'figures')

def render() -> str:
    nb = json.loads((root/'nbs'/'index.ipynb').read_text(encoding='utf-8'))
    parts = ['<!-- generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file -->']
    for c in nb['cells']:
        src = ''.join(c['source']).strip()
        if not src: continue
        if c['cell_type'] == 'markdown': parts.append(src.replace(GLANCE, _glance()) if GLANCE in src else src)
        elif not src.startswith('#| hide'):
            parts.append('```python\n' + '\n'.join(l for l in src.split('\n') if not l.startswith('#|')) + '\n```')
    return '\n\n'.join(parts) + '\n'

if __name__ == '__main__':
    text = render()
    if '--check' in sys.argv:
        ok = (root/'README.md').exists() and (root/'README.md').read_text(encoding='utf-8') == text
        if not ok: print('README.md is out of date: run python tools/make_readme.py'); sys.exit(1)
    else: (root/'README.md').write_text(text, encoding='utf-8')
