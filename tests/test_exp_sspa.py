"""The sspa_jt experiments: registered on the command line, bad notebook parameters fail in the first cell, and the
paper's protocol (real data layouts, streamed loading) runs end to end on SynthAffect written in the real layouts."""
import json
from pathlib import Path
import pytest
from affectnb.core import ConfigError
from affectnb.runs import main

ROOT = Path(__file__).resolve().parent.parent

def test_sspa_experiments_are_listed(capsys):
    assert main(['list']) == 0
    out = capsys.readouterr().out
    for i in range(1, 10): assert f'sspa_jt.table{i}' in out

BAD = [('tables/sspa_table1.ipynb', dict(aux='affectnet8'), 'needs one class list'),
       ('tables/sspa_table3.ipynb', dict(aux_percent=0), 'expected a proportion of the auxiliary set in (0, 100]'),
       ('tables/sspa_table7.ipynb', dict(alphas=[5, 0]), 'expected alpha > 0 and beta > 0'),
       ('figures/sspa_fig6.ipynb', dict(k=0), 'expected an integer number of experts >= 1')]

@pytest.mark.parametrize('nb,params,msg', BAD, ids=[f'{b[0].split("/")[1][:-6]}-{list(b[1])[0]}' for b in BAD])
def test_bad_parameter_fails_in_the_first_cell(nb, params, msg, tmp_path, monkeypatch):
    papermill = pytest.importorskip('papermill')
    monkeypatch.setenv('AFFECTNB_HOME', str(tmp_path/'home'))
    with pytest.raises(papermill.PapermillExecutionError) as e:
        papermill.execute_notebook(str(ROOT/'nbs'/nb), str(tmp_path/'out.ipynb'), cwd=str(tmp_path), progress_bar=False,
                                   parameters=dict(preset='ci', results_dir=str(tmp_path/'res'), out_dir=str(tmp_path/'fig'),
                                                   **params))
    assert msg in str(e.value)
    assert e.value.exec_count <= 3, 'a bad parameter must fail in the first code cells'
    assert not (tmp_path/'res').exists(), 'nothing may be trained before the parameters are validated'

def test_paper_protocol_on_real_layouts(tmp_path, monkeypatch):
    "`preset='paper'` with a `data_root`: the real loaders, the streamed DataLoader path with the SSPA-JT extras."
    monkeypatch.setenv('AFFECTNB_HOME', str(tmp_path/'home'))
    from affectnb.synth import write_layout
    from affectnb.experiments import check_params
    from affectnb.experiments.sspa_jt import check_table1, check_table8, joint_spec, joint_run, unpack_flags
    write_layout(tmp_path/'RAF-DB', 'rafdb', n_train=64, n_test=32)
    write_layout(tmp_path/'AffectNet', 'affectnet', n_train=96, n_test=16)
    g = check_table1('paper', data_root=str(tmp_path))
    assert {s.dataset for s in g.specs} == {'rafdb', 'rafdb+affectnet7'} and g.params.preset.epochs == 80
    assert {s.setting['backbone'] for s in check_table8('paper', data_root=str(tmp_path)).specs} == {'resnet18', 'arm'}
    with pytest.raises(ConfigError, match='needs one class list'): check_table1('paper', data_root=str(tmp_path), aux='affectnet8')
    # the paper's protocol shrunk to seconds: streamed (not in memory), one pass per epoch, 2 epochs (T_S = 1)
    p = check_params('sspa_jt', 'paper', str(tmp_path), device='cpu',
                     overrides=dict(img_size=32, width=8, batch_size=16, eval_batch_size=32, epochs=2, pretrained=None,
                                    num_workers=0, extra=dict(T_S=1, k=3, ssm_momentum=0.5, beta_a=5.0, beta_b=1.0)))
    spec = joint_spec(p, 'sspa_jt', aux_percent=50, backbone='resnet18', k=3)
    res = joint_run(spec, p)
    n_aux = res['n_aux']                                            # half of AffectNet's 7 basic classes (no contempt)
    assert res['n_target'] == 64 and 40 <= n_aux <= 48 and res['n_test'] == 32
    assert [h['pa_stage'] for h in res['curves']] == [0.0, 1.0]
    sel = res['selection']
    assert sel['n_scored'] == [64 + n_aux, 0] == [res['n_train'], 0]   # the streamed loader: every sample scored once
    assert 'sel_precision' not in sel                               # real data: no true classes to score against
    assert int(unpack_flags(sel['aux_clean'], n_aux).sum()) == sel['n_clean_aux'] and sel['n_clean_target'] == 64
    json.dumps(res)                                                 # storable as it is
