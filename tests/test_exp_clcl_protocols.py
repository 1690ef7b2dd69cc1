"The CLCL protocol tables (II, III, VI) on the command line, and their bad input refused before anything trains."
import pytest
from affectnb.core import ConfigError
from affectnb.runs import main, load_experiments, get_experiment, shard_specs

def test_clcl_protocol_experiments_are_listed(capsys):
    assert main(['list']) == 0
    out = capsys.readouterr().out
    for name in ('clcl.table2', 'clcl.table3', 'clcl.table6'): assert name in out

def test_cli_grids_are_the_papers_and_shards_partition_them():
    load_experiments()
    specs = get_experiment('clcl.table3').specs('ci')
    assert len(specs) == 7*3*2 and len({s.key for s in specs}) == len(specs)          # classes x fractions x methods
    assert len(get_experiment('clcl.table2').specs('ci')) == 6*2                      # rows x (RAF-DB, AffectNet)
    assert len(get_experiment('clcl.table6').specs('ci')) == 3*2
    parts = [shard_specs(specs, (i, 4)) for i in range(1, 5)]
    assert sorted(s.key for p in parts for s in p) == sorted(s.key for s in specs)

@pytest.mark.parametrize('call, match', [
    (lambda m: m.check_table3('ci', classes=['contempt']), "allowed: \\['neutral', 'happy'"),
    (lambda m: m.check_table3('ci', classes=['nope']), 'is not a class of Table III'),
    (lambda m: m.check_table3('ci', keep=[1.0]), 'must lie in \\[0, 1\\)'),
    (lambda m: m.check_table3('ci', keep=[-0.1]), 'must lie in \\[0, 1\\)'),
    (lambda m: m.check_table3('ci', keep=[0.5]), 'allowed: \\[0.0, 0.1, 0.3\\]'),
    (lambda m: m.check_table3('ci', dataset='celeba'), "expected some of \\['rafdb'"),
    (lambda m: m.check_table2('ci', datasets=['ferplus']), "expected some of \\['rafdb', 'affectnet7'\\]"),
    (lambda m: m.check_table6('ci', rows=['kmeans']), "expected some of \\['baseline', 'class', 'cluster'\\]"),
    (lambda m: m.check_table6('ci', datasets=['nope']), "expected some of \\['rafdb', 'affectnet7'\\]"),
    (lambda m: m.check_table2('fast'), "expected one of \\['ci', 'smoke', 'paper'\\]"),
])
def test_bad_input_fails_before_training(call, match):
    import affectnb.experiments.clcl_protocols as m
    with pytest.raises(ConfigError, match=match): call(m)

def test_table6_shares_table4_runs_and_passes_class_centres():
    from affectnb.experiments.clcl_protocols import check_table6
    from affectnb.experiments.clcl import clcl_spec
    g = check_table6('ci')
    assert [s.setting.get('centres') for s in g.specs] == [None, 'class', None]
    assert g.specs[2].key == clcl_spec(g.params, 'clcl', 'rafdb', 0).key
