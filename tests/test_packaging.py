"Packaging: MANIFEST.in names real files, LICENSE is Apache-2.0, constraints pin, CI runs the README's test command, the sdist can run the tests."
import configparser, fnmatch, hashlib, importlib.util, re, subprocess, sys, tarfile
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parent.parent
# sha256 of https://www.apache.org/licenses/LICENSE-2.0.txt (the official text, appendix placeholders included)
APACHE2_SHA256 = 'cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30'
INCLUDE_CMDS = ('include', 'recursive-include', 'graft', 'global-include')
EXCLUDE_CMDS = ('exclude', 'recursive-exclude', 'prune', 'global-exclude')
# what `python -m pytest tests` reads from the source tree besides the package
NEEDED = ['settings.ini', 'README.md', 'LICENSE', 'constraints.txt', '.ci/run', 'tools/make_readme.py', 'nbs/index.ipynb',
          'nbs/nbdev.yml', 'tests/conftest.py', 'tests/test_packaging.py']

def _files():
    "The project's files: tracked and untracked-not-ignored ones in a git checkout, else (an unpacked sdist) all on disk."
    r = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], cwd=ROOT,
                       capture_output=True, text=True)
    venvs = {p.name for p in ROOT.iterdir() if (p/'pyvenv.cfg').exists()}  # e.g. the README's .venv, if not ignored
    if r.returncode == 0 and r.stdout:
        return sorted(f for f in set(r.stdout.split('\0')) if f and f.split('/')[0] not in venvs and (ROOT/f).is_file())
    return sorted(str(p.relative_to(ROOT)) for p in ROOT.rglob('*')
                  if p.is_file() and '__pycache__' not in p.parts and p.relative_to(ROOT).parts[0] not in venvs)

def _manifest():
    lines = []
    for i, line in enumerate((ROOT/'MANIFEST.in').read_text().splitlines(), 1):
        line = line.split('#', 1)[0].strip()
        if line: lines.append((i, line.split()))
    return lines

def _matches(cmd, args, files):
    if cmd == 'include': return {a: [f for f in files if fnmatch.fnmatchcase(f, a)] for a in args}
    if cmd == 'graft': return {a: [f for f in files if f.startswith(a.rstrip('/') + '/')] for a in args}
    if cmd == 'global-include': return {a: [f for f in files if fnmatch.fnmatchcase(Path(f).name, a)] for a in args}
    d, pats = args[0].rstrip('/'), args[1:]     # recursive-include dir pat...
    return {f'{d} {p}': [f for f in files if f.startswith(d + '/') and fnmatch.fnmatchcase(Path(f).name, p)] for p in pats}

def test_manifest_lines_match_real_files():
    "Every include/graft line of MANIFEST.in names at least one file of the project (exclusions may match nothing)."
    files, bad = _files(), []
    for i, (cmd, *args) in _manifest():
        assert cmd in INCLUDE_CMDS + EXCLUDE_CMDS, f'MANIFEST.in line {i}: unknown command {cmd!r}'
        assert args, f'MANIFEST.in line {i}: {cmd} without arguments'
        if cmd in INCLUDE_CMDS: bad += [f'line {i}: {cmd} {a}' for a, m in _matches(cmd, args, files).items() if not m]
    assert not bad, f'MANIFEST.in names files that do not exist: {bad}'

def test_manifest_ships_what_the_tests_need():
    "The sdist gets every folder and file the test suite reads (checked on MANIFEST.in's include lines)."
    covered = lambda f: any(m for i, (cmd, *args) in _manifest() if cmd in INCLUDE_CMDS
                            for m in _matches(cmd, args, [f]).values())
    missing = [f for f in NEEDED + ['nbs/tables/x.ipynb', 'nbs/figures/x.ipynb', 'nbs/00_core.ipynb'] if not covered(f)]
    assert not missing, f'MANIFEST.in does not ship {missing}'

def test_license_is_apache2():
    cfg = configparser.ConfigParser(delimiters=['=']); cfg.read(ROOT/'settings.ini', encoding='utf-8')
    assert cfg['DEFAULT']['license'] == 'apache2'
    text = (ROOT/'LICENSE').read_bytes()
    assert b'Apache License' in text and b'Version 2.0, January 2004' in text
    assert hashlib.sha256(text).hexdigest() == APACHE2_SHA256, 'LICENSE is not the verbatim Apache License 2.0 text'

def test_constraints_pin_exact_versions_within_the_requirements():
    "constraints.txt pins (==) torch, torchvision and numpy; settings.ini's requirements stay ranges, and admit the pins."
    pins = {}
    for line in (ROOT/'constraints.txt').read_text().splitlines():
        line = line.split('#', 1)[0].strip()
        if not line: continue
        m = re.fullmatch(r'([A-Za-z0-9_.\-]+)==([0-9][0-9A-Za-z.+!\-]*)', line)
        assert m, f'constraints.txt: {line!r} is not name==version'
        pins[m[1].lower()] = m[2]
    assert {'torch', 'torchvision', 'numpy'} <= set(pins), f'constraints.txt must pin torch, torchvision and numpy: {pins}'
    cfg = configparser.ConfigParser(delimiters=['=']); cfg.read(ROOT/'settings.ini', encoding='utf-8')
    reqs = cfg['DEFAULT']['requirements'].split()
    assert not [r for r in reqs if '==' in r], f'settings.ini requirements must not pin (use constraints.txt): {reqs}'
    try: from packaging.requirements import Requirement
    except ImportError: return
    for r in map(Requirement, reqs):
        if r.name.lower() in pins:
            assert r.specifier.contains(pins[r.name.lower()], prereleases=True), f'{r} excludes the pinned {pins[r.name.lower()]}'

def test_ci_runs_the_readme_test_command():
    "The README's test command (pip install with the constraints, then pytest) is exactly what .ci/run executes."
    readme = (ROOT/'README.md').read_text(encoding='utf-8')
    cmds = [l.strip() for l in readme.splitlines() if l.strip().endswith('python -m pytest -q tests')]
    assert len(cmds) == 1, f'expected one test command in README.md, found {cmds}'
    assert '-c constraints.txt' in cmds[0]
    ci = [l.strip() for l in (ROOT/'.ci'/'run').read_text().splitlines()
          if l.strip() and not l.startswith('#') and not l.startswith(('set ', 'cd ', 'export '))]
    assert ci and ci[-1] == cmds[0], f'.ci/run runs {ci}, the README says {cmds[0]!r}'
    # before it, only the system package the browser test needs (README: "CI installs Debian's chromium first")
    assert all(l.startswith('command -v chromium') and 'apt-get install' in l for l in ci[:-1]), ci[:-1]
    assert 'apt-get install chromium' in readme, "the README must say that the browser test needs Debian's chromium"

def test_sdist_contains_tests_and_notebooks(tmp_path):
    "`python -m build --sdist` (no isolation: seconds, offline) ships tests/, nbs/ (tables, figures), tools/ and the root files."
    if importlib.util.find_spec('build') is None: pytest.skip("the 'build' package is not installed (pip install build)")
    need = re.search(r'"setuptools>=([0-9.]+)"', (ROOT/'pyproject.toml').read_text())[1]
    try: from importlib.metadata import version; have = version('setuptools')
    except Exception: pytest.skip('setuptools is not installed (build --no-isolation uses the installed one)')
    if tuple(map(int, have.split('.')[:2])) < tuple(map(int, need.split('.')[:2])):
        pytest.skip(f'setuptools {have} is older than pyproject.toml asks ({need}); build --no-isolation uses the installed one')
    r = subprocess.run([sys.executable, '-m', 'build', '--sdist', '--no-isolation', '--outdir', str(tmp_path), str(ROOT)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    sdist, = tmp_path.glob('affectnb-*.tar.gz')
    with tarfile.open(sdist) as t: names = {n.split('/', 1)[1] for n in t.getnames() if '/' in n}
    missing = [f for f in NEEDED if f not in names]
    for d in ('tests', 'nbs/tables', 'nbs/figures', 'affectnb'):
        want = {f for f in _files() if f.startswith(d + '/')}
        missing += sorted(want - names)
    assert not missing, f'the sdist lacks {missing}'
    assert not [n for n in names if '__pycache__' in n or '.ipynb_checkpoints' in n]
