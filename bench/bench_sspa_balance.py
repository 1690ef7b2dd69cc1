"""sspa_jt Eq. (8) solvers side by side: affectnb's exact integer water-filling vs the paper's SLSQP + rounding.

Usage: python bench/bench_sspa_balance.py [--batches 2000] [--batch 128] [--classes 7] [--seed 0] [--sizes 32,128,512]

Random batches as the PAM sees them: labels drawn from RAF-DB's class prior (affectnb.synth.CLASS_PRIORS, or a
long-tailed fallback), each sample clean with a probability drawn per batch in [0.3, 0.95]; h = clean counts per
class, N_N = number of noisy samples. On the same batches, in one run, it measures each solver's time per call
(median of per-batch timings, both solvers timed back to back on every batch) and prints the speed ratio
SLSQP / exact, how often SLSQP's rounded answer (largest-remainder rounding, see nbs/30_sspa.ipynb) has a
larger variance of h + s than the exact optimum, and how often plain rounding (np.rint) of SLSQP's continuous
answer would be infeasible (sum != N_N) -- the reason for largest-remainder rounding."""
import argparse, statistics, sys, time
from pathlib import Path
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from affectnb.sspa import balance_counts

def prior(C):
    try:
        from affectnb.synth import CLASS_PRIORS
        p = np.asarray(CLASS_PRIORS['rafdb'][:C], dtype=float)
        if len(p) == C: return p/p.sum(), 'RAF-DB prior (affectnb.synth.CLASS_PRIORS)'
    except Exception: pass
    p = 1/np.arange(1, C + 1)**1.5
    return p/p.sum(), 'Zipf(1.5) prior'

def slsqp_continuous(h, n):
    "The relaxed SLSQP solution before rounding (same set-up as affectnb.sspa's 'slsqp' solver)."
    from scipy.optimize import minimize
    C, allowed = len(h), h > 0
    x0 = np.where(allowed, n/allowed.sum(), 0.0)
    res = minimize(lambda s: float(np.var(h + s)), x0, jac=lambda s: 2*(h + s - (h + s).mean())/C, method='SLSQP',
                   bounds=[(0, n if a else 0) for a in allowed],
                   constraints=[dict(type='eq', fun=lambda s: s.sum() - n, jac=lambda s: np.ones(C))])
    return res.x

def run(batches, B, C, seed, p):
    rng = np.random.default_rng(seed)
    t_exact, t_slsqp, worse, excess, rint_bad, n_cases = [], [], 0, [], 0, 0
    for _ in range(batches):
        y = rng.choice(C, size=B, p=p)
        clean = rng.random(B) < rng.uniform(0.3, 0.95)
        h, n = np.bincount(y[clean], minlength=C), int((~clean).sum())
        if n == 0 or h.sum() == 0: continue
        n_cases += 1
        t0 = time.perf_counter(); se = balance_counts(h, n, 'exact'); t1 = time.perf_counter()
        sq = balance_counts(h, n, 'slsqp'); t2 = time.perf_counter()
        t_exact.append(t1 - t0); t_slsqp.append(t2 - t1)
        assert se.sum() == n and sq.sum() == n and (sq[h == 0] == 0).all() and (sq >= 0).all()
        ve, vq = np.var(h + se), np.var(h + sq)
        assert vq >= ve - 1e-9, (h, n, se, sq)
        if vq > ve + 1e-9: worse += 1; excess.append(vq - ve)
        rint_bad += int(np.rint(slsqp_continuous(h, n)).sum() != n)
    return dict(cases=n_cases, exact_us=1e6*statistics.median(t_exact), slsqp_us=1e6*statistics.median(t_slsqp),
                exact_mean_us=1e6*statistics.fmean(t_exact), slsqp_mean_us=1e6*statistics.fmean(t_slsqp),
                worse=worse, excess=(statistics.fmean(excess) if excess else 0.0), rint_bad=rint_bad)

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--batches', type=int, default=2000)
    ap.add_argument('--batch', type=int, default=128, help='the paper\'s batch size (sspa_jt Sec 4.1.3)')
    ap.add_argument('--classes', type=int, default=7)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--sizes', default='', help='extra batch sizes, comma-separated (e.g. 32,512)')
    a = ap.parse_args(argv)
    p, pname = prior(a.classes)
    print(f"Eq. (8) solvers on random batches: C={a.classes}, {pname}, clean fraction ~ U(0.3, 0.95), seed {a.seed}")
    sizes = [a.batch] + [int(s) for s in a.sizes.split(',') if s.strip() and int(s) != a.batch]
    for B in sizes:
        r = run(a.batches, B, a.classes, a.seed, p)
        print(f"batch {B:4d}: {r['cases']} batches | exact {r['exact_us']:8.1f} us/call (mean {r['exact_mean_us']:.1f}) | "
              f"SLSQP+rounding {r['slsqp_us']:8.1f} us/call (mean {r['slsqp_mean_us']:.1f}) | "
              f"speed ratio SLSQP/exact {r['slsqp_us']/r['exact_us']:6.1f}x (medians)")
        print(f"            SLSQP rounded has a larger variance than exact in {r['worse']}/{r['cases']} batches "
              f"({100*r['worse']/max(r['cases'], 1):.2f}%), mean excess variance {r['excess']:.4f}; "
              f"plain np.rint of SLSQP would break sum = N_N in {r['rint_bad']}/{r['cases']} "
              f"({100*r['rint_bad']/max(r['cases'], 1):.1f}%)")
    return 0

if __name__ == '__main__': sys.exit(main())
