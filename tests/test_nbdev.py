"Library notebooks run (nbdev_test), and notebooks, package and README are in sync."
import filecmp, shutil, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parent.parent

def _tracked_files():
    r = subprocess.run(['git', 'ls-files', '-z'], cwd=ROOT, capture_output=True, text=True)
    if r.returncode: pytest.skip('not a git checkout')
    return [p for p in r.stdout.split('\0') if p]

def test_library_notebooks_pass(tmp_path):
    "Every library notebook in nbs/ runs clean (slow/gpu/notest cells skipped); artefact notebooks run in test_artefacts."
    env = dict(__import__('os').environ, AFFECTNB_HOME=str(tmp_path/'home'), MPLBACKEND='Agg')
    r = subprocess.run(['nbdev_test', '--n_workers', '2', '--skip_folder_re', '^(tables|figures)$', '--timing'],
                       cwd=ROOT, capture_output=True, text=True, env=env)
    print(r.stdout[-5000:]); print(r.stderr[-20000:])
    assert r.returncode == 0, 'nbdev_test failed: see the captured output'

def test_export_and_clean_change_nothing(tmp_path):
    "nbdev_export and nbdev_clean on a copy of the tracked files leave every tracked file unchanged."
    files = _tracked_files()
    dst = tmp_path/'repo'
    for f in files:
        (dst/f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT/f, dst/f)
    for cmd in (['nbdev_export'], ['nbdev_clean']):
        r = subprocess.run(cmd, cwd=dst, capture_output=True, text=True)
        assert r.returncode == 0, f'{cmd[0]} failed: {r.stderr[-3000:]}'
    changed = [f for f in files if not (dst/f).exists() or not filecmp.cmp(ROOT/f, dst/f, shallow=False)]
    lib = Path(dst/'affectnb')
    new = [str(p.relative_to(dst)) for p in lib.rglob('*.py') if str(p.relative_to(dst)) not in files]
    assert not changed and not new, f'out of sync with the notebooks: changed {changed}, untracked exports {new}; run nbdev_export && nbdev_clean and commit'

def test_readme_generated_from_index():
    r = subprocess.run([sys.executable, 'tools/make_readme.py', '--check'], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
