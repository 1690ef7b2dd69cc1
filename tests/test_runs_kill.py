"A sweep killed with SIGKILL mid-way leaves a readable store, and a rerun executes only the missing runs."
import json, os, signal, subprocess, sys, time
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parent.parent
N = 20

FAKE = '''
import os, time
from affectnb.runs import RunSpec, register_experiment

def specs(preset, data_root, seeds, **kw):
    "20 quick fake runs."
    return [RunSpec('fake', 'kill', 'sleep', 'none', {'i': i}, seed=0, preset=preset) for i in range(%d)]

def run(spec, data_root, device):
    with open(os.environ['FAKE_LOG'], 'a') as f: f.write(spec.key + chr(10))
    time.sleep(0.1)
    return dict(metrics=dict(accuracy=spec.setting['i'] / 20), curves=dict(loss=[0.5] * 5000))

register_experiment('fake.kill', specs, run)
''' % N

def _env(tmp_path, log):
    env = dict(os.environ, AFFECTNB_HOME=str(tmp_path/'home'), FAKE_LOG=str(log),
               PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT), os.environ.get('PYTHONPATH', '')]))
    return env

def _cmd(tmp_path, *args):
    return [sys.executable, '-m', 'affectnb.runs', *args, 'fake.kill', '--module', 'fakeexp',
            '--results-dir', str(tmp_path/'store'), '--preset', 'ci']

def _lines(p): return p.read_text().split() if p.exists() else []

def _check_readable(store):
    "Every *.json file parses as a whole record named after its key; nothing else looks like a result."
    files = sorted(store.rglob('*.json'))
    for f in files:
        rec = json.loads(f.read_text())
        assert rec['key'] == f.stem and set(rec) == {'key', 'spec', 'result', 'provenance', 'preset_values', 'preset_used', 'fingerprint'}, f
        assert len(rec['result']['curves']['loss']) == 5000, f'{f}: partial result'
    return files

def test_sigkill_mid_sweep_then_resume(tmp_path, monkeypatch, capsys):
    (tmp_path/'fakeexp.py').write_text(FAKE)
    store, log1, log2 = tmp_path/'store', tmp_path/'log1', tmp_path/'log2'
    p = subprocess.Popen(_cmd(tmp_path, 'run') + ['--no-progress'], cwd=tmp_path, env=_env(tmp_path, log1),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    t0 = time.time()
    while len(list(store.rglob('*.json'))) < 5 and time.time() - t0 < 60 and p.poll() is None: time.sleep(0.01)
    time.sleep(0.03)  # land inside a run (or a write), not between two
    p.send_signal(signal.SIGKILL); out = p.communicate()[0].decode()  # reaped: its pid is gone
    assert p.returncode == -signal.SIGKILL, out
    done = _check_readable(store)
    started = _lines(log1)
    assert 5 <= len(done) < N, f'killed too late or too early: {len(done)} results, log {len(started)}'
    assert len(started) in (len(done), len(done) + 1)  # at most the one run in flight was lost

    # the resumed sweep, in this process (a new process, so the keys are stable across processes too)
    from affectnb.runs import ResultStore, main
    assert len(ResultStore(store).records()) == len(done)
    monkeypatch.syspath_prepend(str(tmp_path)); monkeypatch.setenv('FAKE_LOG', str(log2))
    monkeypatch.setenv('AFFECTNB_HOME', str(tmp_path/'home'))
    args = ['fake.kill', '--module', 'fakeexp', '--results-dir', str(store), '--preset', 'ci']
    assert main(['status', *args]) == 0
    assert f'{N} runs, {len(done)} done, 0 stale, {N - len(done)} missing (0 running)' in capsys.readouterr().out
    assert main(['run', *args, '--no-progress']) == 0
    rerun = _lines(log2)
    assert len(rerun) == N - len(done), f'rerun executed {len(rerun)} runs, {N - len(done)} were missing'
    assert not set(rerun) & {f.stem for f in done}, 'a stored run was executed again'
    assert len(_check_readable(store)) == N and len(ResultStore(store).records()) == N
    assert main(['status', *args]) == 0 and f'{N} runs, {N} done, 0 stale, 0 missing' in capsys.readouterr().out
    assert not list(store.rglob('*.lock')), 'a lock was left behind'

def test_two_workers_never_run_the_same_spec(tmp_path):
    (tmp_path/'fakeexp.py').write_text(FAKE)
    log = tmp_path/'log'
    ps = [subprocess.Popen(_cmd(tmp_path, 'run') + ['--no-progress'], cwd=tmp_path, env=_env(tmp_path, log),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)]
    outs = [p.communicate(timeout=60)[0].decode() for p in ps]
    assert all(p.returncode == 0 for p in ps), outs
    keys = _lines(log)
    assert len(keys) == N and len(set(keys)) == N, f'{len(keys)} executions for {N} runs'
    assert len(_check_readable(tmp_path/'store')) == N
