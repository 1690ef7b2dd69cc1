"Backend behaviour of affectnb.viz that the notebook (run by nbdev_test under its own inline backend) cannot check."
import os, subprocess, sys
import matplotlib
matplotlib.use('Agg')
import numpy as np
import pytest
from affectnb import viz
from affectnb.core import ConfigError, load_json

def _run(code, **env):
    e = {k: v for k, v in os.environ.items() if k not in ('MPLBACKEND', 'DISPLAY', 'WAYLAND_DISPLAY')}
    e.update(env)
    return subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=120, env=e)

def test_plotting_keeps_the_users_backend(tmp_path):
    import matplotlib.pyplot as plt
    assert 'matplotlib' not in getattr(viz, '__dict__', {})  # the module imports no matplotlib at import time
    plt.switch_backend('svg')
    try:
        viz.plot_confusion(np.eye(2), ['a', 'b'], path=tmp_path/'cm')
        assert matplotlib.get_backend().lower() == 'svg'
    finally: plt.switch_backend('Agg')
    assert (tmp_path/'cm.png').read_bytes()[:4] == b'\x89PNG'

def test_headless_without_backend_saves(tmp_path):
    r = _run("import numpy as np, affectnb.viz as v;"
             f"v.plot_class_distribution({{'x': [1, 2]}}, ['happy', 'sad'], path=r'{tmp_path}/d/fig')")
    assert r.returncode == 0, r.stderr
    assert (tmp_path/'d'/'fig.png').stat().st_size > 1000
    assert load_json(tmp_path/'d'/'fig.json')['data']['counts'] == {'x': [1, 2]}

def test_saved_figures_are_closed(tmp_path):
    import matplotlib.pyplot as plt
    n = len(plt.get_fignums())
    for i in range(3): viz.plot_curves({'a': {'loss': [3, 2, 1]}}, path=tmp_path/f'c{i}')
    assert len(plt.get_fignums()) == n

def test_bad_input():
    with pytest.raises(ConfigError, match=r"expected one of \['tsne', 'umap', 'pca'\]"):
        viz.plot_embedding(np.zeros((5, 8)), [0]*5, ['a'], method='mds')
    with pytest.raises(ConfigError, match='entries but there are'):
        viz.plot_embedding(np.zeros((5, 2)), [0]*4, ['a'])
