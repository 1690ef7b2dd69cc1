"Extra checks of affectnb.clcl outside the notebook: low-precision input and the GPU path of batched_kmeans."
import pytest, torch
from affectnb.clcl import batched_kmeans, kmeans_inertia


def _blobs(P=4, n=50, seed=0):
    g = torch.Generator().manual_seed(seed)
    means = torch.tensor([[0., 0.], [8., 0.], [0., 8.]])
    idx = torch.randint(0, 3, (P, n), generator=g)
    return means[idx] + torch.randn(P, n, 2, generator=g)


def test_low_precision_input_is_clustered_in_float32():
    x = _blobs().bfloat16()
    c, a = batched_kmeans(x, 3, iters=50)
    c32, a32 = batched_kmeans(x.float(), 3, iters=50)
    assert c.dtype == torch.float32 and torch.equal(a, a32) and torch.allclose(c, c32)


def test_inside_autocast_and_with_grad_input():
    x = _blobs().requires_grad_()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        c, a = batched_kmeans(x, 3, iters=50)
    assert not c.requires_grad and c.dtype == torch.float32
    assert torch.allclose(kmeans_inertia(x.detach(), c, a), kmeans_inertia(x.detach(), *batched_kmeans(x.detach(), 3, iters=50)))


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs a GPU')
def test_gpu_matches_cpu_from_the_same_centres():
    x = _blobs(P=16)
    init = x[:, :3].clone()
    c, a = batched_kmeans(x, 3, iters=100, init=init)
    cg, ag = batched_kmeans(x.cuda(), 3, iters=100, init=init.cuda())
    assert torch.equal(a, ag.cpu()) and torch.allclose(c, cg.cpu(), atol=1e-4)
    cg2, ag2 = batched_kmeans(x.cuda(), 3, iters=100, seed=0)             # k-means++ draws on the GPU generator
    assert cg2.is_cuda and (kmeans_inertia(x.cuda(), cg2, ag2) <= 1.05*kmeans_inertia(x, c, a).cuda() + 1e-3).all()
