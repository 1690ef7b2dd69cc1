"""The clcl experiments: registered on the command line with the paper's grids, refusing bad input before training, and
Table I's measured baseline equal to torchvision's ResNet-18 (11.2 M parameters, 1.82 G multiply-adds at 224 px)."""
import pytest
from affectnb.core import ConfigError
from affectnb.runs import main, load_experiments, get_experiment, shard_specs


def test_clcl_experiments_are_listed(capsys):
    assert main(['list']) == 0
    out = capsys.readouterr().out
    for name in ('clcl.table4', 'clcl.table5', 'clcl.table7', 'clcl.fig8'):
        assert name in out


def test_cli_grids_are_the_papers_and_shards_partition_them(capsys):
    load_experiments()
    t4 = get_experiment('clcl.table4').specs('ci')
    assert len(t4) == 8*3 and len({s.key for s in t4}) == len(t4)              # 8 rows x 3 data sets, seed 0
    assert sum(s.method == 'baseline' for s in t4) == 3
    assert len(get_experiment('clcl.table5').specs('ci')) == 12
    assert len(get_experiment('clcl.table7').specs('ci', seeds=[0, 1])) == 2*4*2  # baseline + ours x 4 sets x 2 seeds
    parts = [shard_specs(t4, (i, 4)) for i in range(1, 5)]
    assert sorted(s.key for p in parts for s in p) == sorted(s.key for s in t4)
    assert main(['status', 'clcl.fig8', '--preset', 'ci', '--shard', '1/2']) == 0
    assert 'clcl.fig8 (shard 1/2)' in capsys.readouterr().out


def test_shared_runs_have_one_key():
    "Table VII's CLCL run is Table IV's full row, Table V's alpha_2 = beta_2 = 0.1 row and Fig. 8's K = (4, 7) point."
    from affectnb.experiments.clcl import check_table4, check_table5, check_table7, check_fig8
    full = {s for s in check_table4('ci', variants=['msr+clfm+clbs']).specs}
    assert full == {s for s in check_table7('ci').specs if s.method == 'clcl'}
    assert full == {s for s in check_table5('ci', settings=[{'alpha': [0, .1, 0], 'beta': [0, .1, 0]}]).specs}
    assert full == set(check_fig8('ci', k_fm=[4], k_bs=[7]).specs)


@pytest.mark.parametrize('call, message', [
    (lambda m: m.check_fig8('ci', k_fm=[4, 100]), 'allowed: 1..64'),                 # K_FM > C_L = 8 x width 8
    (lambda m: m.check_fig8('ci', k_bs=[7, 33]), 'allowed: 1..32'),                  # K_BS > images per batch
    (lambda m: m.check_table5('ci', settings=[{'alpha': [0, .1], 'beta': [0, .1, 0]}]), 'alpha must have L-1 = 3 entries'),
    (lambda m: m.check_table5('ci', settings=[[0, .1, 0, 0, .1]]), 'or six numbers'),
    (lambda m: m.check_table7('ci', datasets=['rafdb', 'jaffe']), "expected some of ['rafdb', 'ferplus', 'sfew', 'affectnet7']"),
    (lambda m: m.check_table4('ci', datasets=['sfew']), "expected some of ['rafdb', 'affectnet7', 'ferplus']"),
    (lambda m: m.check_table4('ci', variants=['msr+attention']), "unknown variant 'msr+attention'"),
    (lambda m: m.check_table4('fast'), "expected one of ['ci', 'smoke', 'paper']"),
    (lambda m: m.check_table1('ci', img_size=8), 'must be an integer in 32..448'),
])
def test_bad_input_fails_before_training(call, message):
    import affectnb.experiments.clcl as m
    with pytest.raises(ConfigError) as e: call(m)
    assert message in str(e.value)


def test_table1_baseline_is_torchvision_resnet18_at_224px():
    "clcl Table I: training the baseline is 11.2 M parameters and 1.82 G FLOPs (multiply-adds) at 224 px."
    from affectnb.experiments.clcl import complexity
    c = complexity(img_size=224, width=64, num_classes=7)
    b = c['baseline']
    assert b['params'] == b['params_train'] == c['torchvision_resnet18']['params']
    assert round(b['params']/1e6, 1) == 11.2
    assert round(b['macs']/1e9, 2) == 1.82 and round(b['macs_train']/1e9, 2) == 1.82
    assert 14.0 < c['clcl']['params_train']/1e6 < 15.0                                # the paper: 14.5 M


def test_k_bs_is_the_data_sets_class_count():
    "Sec. III-B2: K_BS = the number of expression categories: FERPlus 8, RAF-DB 7; an explicit k_bs (Fig. 8) wins."
    from affectnb.experiments import check_params
    from affectnb.experiments.clcl import option_defaults, clcl_spec, run_options, check_fig8
    p = check_params('clcl', 'ci')
    assert option_defaults(p, 'ferplus')['k_bs'] == 8 and option_defaults(p, 'rafdb')['k_bs'] == 7
    assert run_options(clcl_spec(p, 'clcl', 'ferplus', 0), p)['k_bs'] == 8
    assert run_options(clcl_spec(p, 'clcl', 'rafdb', 0), p)['k_bs'] == 7
    s = {sp.setting.get('k_bs') for sp in check_fig8('ci', datasets=['ferplus'], k_fm=[4], k_bs=[3, 7, 8]).specs}
    assert s == {3, 7, None}                                       # 8 is FERPlus' default: the default run, no k_bs key
    with pytest.raises(ConfigError, match="the ferplus's classes"):
        clcl_spec(check_params('clcl', 'ci', overrides=dict(batch_size=6)), 'clcl', 'ferplus', 0)
