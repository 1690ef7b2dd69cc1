"The leaf experiments on the command line: registered, sharded into disjoint parts, and refusing bad label counts."
import pytest
from affectnb.core import ConfigError
from affectnb.runs import main, load_experiments, get_experiment, shard_specs

def test_leaf_experiments_are_listed(capsys):
    assert main(['list']) == 0
    out = capsys.readouterr().out
    for name in ('leaf.table1', 'leaf.table2', 'leaf.table3', 'leaf.fig4', 'leaf.fig5', 'leaf.fig6', 'leaf.fig7'):
        assert name in out

def test_cli_grid_is_the_papers_and_shards_partition_it(capsys):
    load_experiments()
    specs = get_experiment('leaf.table1').specs('ci')
    assert len(specs) == 18*12 and len({s.key for s in specs}) == len(specs)
    parts = [shard_specs(specs, (i, 5)) for i in range(1, 6)]
    assert sorted(s.key for p in parts for s in p) == sorted(s.key for s in specs)
    assert main(['status', 'leaf.table3', '--preset', 'ci', '--shard', '2/3']) == 0
    assert 'leaf.table3 (shard 2/3)' in capsys.readouterr().out

def test_label_count_beyond_the_pool_fails_before_training():
    from affectnb.experiments.leaf import check_fig4
    with pytest.raises(ConfigError, match='the largest allowed label count is'):
        check_fig4('ci', labels=[100, 5000])
