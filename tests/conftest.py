import os, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault('MPLBACKEND', 'Agg')

@pytest.fixture(scope='session')
def repo_root(): return ROOT

@pytest.fixture
def affectnb_home(tmp_path, monkeypatch):
    "An isolated AFFECTNB_HOME so tests never write into the checkout."
    monkeypatch.setenv('AFFECTNB_HOME', str(tmp_path/'home'))
    return tmp_path/'home'
