"Backbones never touch the network: a missing weight file is a clear error, not a download."
import pytest, torch
from affectnb.backbones import get_backbone, load_pretrained, ResNet18
from affectnb.core import ConfigError, AffectnbError

def _no_download(*a, **k): raise AssertionError('affectnb tried to download weights')

@pytest.mark.parametrize('kind,fname', [('imagenet', 'resnet18-f37072fd.pth'), ('msceleb', 'resnet18_msceleb.pth')])
def test_missing_weights_no_download(tmp_path, monkeypatch, kind, fname):
    monkeypatch.setattr(torch.hub, 'load_state_dict_from_url', _no_download)
    monkeypatch.setattr(torch.hub, 'download_url_to_file', _no_download)
    monkeypatch.setenv('AFFECTNB_WEIGHTS', str(tmp_path))
    with pytest.raises(ConfigError) as e: get_backbone('resnet18', num_classes=7, pretrained=kind)
    assert fname in str(e.value) and str(tmp_path) in str(e.value) and 'AFFECTNB_WEIGHTS' in str(e.value)
    assert isinstance(e.value, AffectnbError)

def test_plain_state_dict_and_model_key(tmp_path):
    src = ResNet18(1000)
    torch.save({'model': src.state_dict()}, tmp_path/'resnet18_msceleb.pth')
    m = ResNet18(7); r = load_pretrained(m, 'msceleb', path=tmp_path)
    assert r['dropped'] == ['fc.weight', 'fc.bias'] and not r['missing'] and not r['unexpected']
    assert torch.equal(m.layer4[1].conv2.weight, src.layer4[1].conv2.weight)
    torch.save(src.state_dict(), tmp_path/'plain.pth')                  # a file path, any name
    m2 = ResNet18(1000); r2 = load_pretrained(m2, 'imagenet', path=tmp_path/'plain.pth')
    assert r2['dropped'] == [] and torch.equal(m2.fc.weight, src.fc.weight)

def test_not_a_state_dict(tmp_path):
    torch.save([1, 2, 3], tmp_path/'resnet18-f37072fd.pth')
    with pytest.raises(AffectnbError, match='expected a state dict'): load_pretrained(ResNet18(7), 'imagenet', path=tmp_path)
