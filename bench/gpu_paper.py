"""GPU readiness of the paper path in one call: a dry run of one artefact notebook per paper on CUDA in bf16, one DDP run
over the GPUs present, and the training throughput of ResNet-18 at 224 px (images/s and model FLOPs utilisation).

1. Dry runs. `affectnb.paperpath.prepare_standins` writes SynthAffect in the official layouts of only the sets the chosen
   notebooks read (RAF-DB, AffectNet, VEATIC) and stand-in weight files of only the starts they load; then one notebook
   per paper runs at `preset="paper"` in dry-run mode (`max_steps` steps per run, 2 evaluation batches) through
   `affectnb.paperpath.dry_run_notebook`, with a reduced grid (one seed, one data set, one method; `NOTEBOOKS` below).
   On CUDA the paper presets turn bf16 autocast on (`Preset.amp`, `Trainer.autocast`) and keep the paper's batch sizes
   (`affectnb.experiments.dry_run_overrides` shrinks batches on a CPU only). Each row: ok/failed, seconds, the peak
   resident memory of the notebook's processes, on CUDA the peak device memory in use (device-wide, sampled every 0.5 s
   by this process), and the error. Without papermill/ipykernel (the GPU image lacks them unless their wheels are
   carried) the notebook's code cells run as one plain Python script with the same parameters injected after the
   parameters cell (`--executor plain`; `auto` picks it only then); the row says which executor ran.
2. DDP. `torchrun --standalone --nproc_per_node=<GPUs>` (as `python -m torch.distributed.run`) on an inline script: each
   rank trains a ResNet-18 (width 64, 7 classes) for a few steps with `affectnb.train.Trainer` (bf16 autocast, SGD) on
   random 224-px uint8 images; the Trainer sets up the process group itself when WORLD_SIZE > 1 (`setup_distributed`).
   With one process the script initialises the group itself (the Trainer would not), so NCCL still starts and the check's
   collectives run over it, but no DistributedDataParallel wrapper is built (the row says `ddp_wrapped`). Checked: every
   rank ends with bitwise identical parameters (max |difference| to rank 0's, after a broadcast, = 0), the parameters
   moved, the loss is finite, and the backend is nccl on CUDA (gloo on CPU).
3. Throughput. ResNet-18 (width 64, 7 classes) at `--img` px, batch `--batch`, bf16 autocast on CUDA, SGD with
   momentum, channels_last unless `--no-channels-last`, cudnn.benchmark unless `--no-cudnn-benchmark`, on random uint8
   images already on the device (the data pipeline is not timed). Two loops, each timed after `--warmup` steps between
   two device synchronisations: `raw` (forward, backward, optimiser step, nothing else) and `trainer`
   (`Trainer.fit`, what the notebooks run: per-step finite-loss check, which synchronises with the host, and schedule).
   Training FLOPs per image are counted with `torch.utils.flop_counter.FlopCounterMode` on one forward + backward
   (convolutions and matrix products; batch norm, activations and the optimiser are not counted, as usual for MFU) and
   checked against 3 x the analytic forward count of ResNet-18's convolutions and classifier (2 FLOPs per multiply-add;
   the count is a little under 3x because the first convolution computes no input gradient). MFU = counted training
   FLOPs per image x images/s / `--peak-tflops`; the default, 989.4 TFLOP/s, is NVIDIA's dense BF16 tensor-core figure
   for the H200 SXM (as in gpu_maskfeat.py); pass your GPU's.

The parts run in the order 3, 2, 1 (the cheap ones first, so that an over-long dry run cannot cost their numbers; the
stand-ins are written by a background process while the DDP check runs, after the throughput is timed), within
`--budget-s` seconds: a notebook gets at most `--nb-timeout` seconds and never more than the budget left (it and its
processes are then killed, by process id); notebooks not started for lack of budget count as failures. The end prints a
compact summary and one line `GPU_PAPER_JSON {...}` with every number; `--out DIR` also writes DIR/gpu_paper.json and
copies the executed notebook (or script) of each failed dry run there. Exit status 1 if any dry run, the DDP check or the
throughput measurement failed.

    python bench/gpu_paper.py [--out DIR] [--batch 256] [--papers leaf clcl ...] [--budget-s 540] [--peak-tflops 989.4]
    python bench/gpu_paper.py --smoke    # CPU: 64 px, batch 4, 2 gloo ranks, one leaf dry run (CPU dry-run batches)
    python bench/gpu_paper.py --smoke --skip-dry-runs

On the GPU machine (device tool): `PYTHONUNBUFFERED=1 python3 bench/gpu_paper.py --out $OUT 2>&1 | tee $OUT/log`.
Not imported by the tests.
"""
import argparse, hashlib, importlib.util, json, os, shutil, signal, subprocess, sys, tempfile, threading, time, traceback
from pathlib import Path
import torch, torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))   # the checkout, installed or not
from affectnb.backbones import get_backbone
from affectnb.train import Trainer, Supervised
from affectnb.core import atomic_write

H200_BF16_DENSE_TFLOPS = 989.4

# paper -> (notebook, reduced grid, layouts it reads, stand-in weight files it loads); cheapest first
NOTEBOOKS = {
    'leaf': ('tables/leaf_table1.ipynb', dict(methods=['leaf'], datasets=['rafdb'], labels=[400], seeds=[0]),
             ('rafdb',), ('resnet18_msceleb',)),                                  # leaf Sec. 5.2: MS-Celeb-1M ResNet-18
    'clcl': ('figures/clcl_fig9.ipynb', dict(seeds=[0], n_points=200), ('rafdb',), ('resnet18_imagenet',)),
    'sspa_jt': ('tables/sspa_table1.ipynb', dict(seeds=[0]), ('rafdb', 'affectnet'),   # target RAF-DB, aux AffectNet-7
                ('resnet18_msceleb', 'resnet18_imagenet')),                        # ResNet-18 MS-Celeb, ARM from ImageNet
    'lsef': ('tables/lsef_table3.ipynb', dict(seeds=[0]), ('veatic',), ('x3d_s_kinetics400',)),
    'pll_fer': ('tables/pll_table5.ipynb', dict(datasets=['rafdb'], seeds=[0]), ('rafdb',),
                ('resnet18_msceleb', 'vit_b16_maskfeat')),                         # ResNet-18 'imagenet' = MS-Celeb (preset)
}
PAPERMILL_MODULES = ('papermill', 'nbformat', 'nbclient', 'jupyter_client', 'ipykernel', 'zmq', 'IPython')


# ------------------------------------------------------------------------------------------------ process helpers
def descendants(pid:int, spare=())->list:
    "Process ids of every descendant of `pid` (Linux /proc), parents before children, leaving out the trees rooted at `spare`."
    kids = {}
    for d in os.listdir('/proc'):
        if not d.isdigit(): continue
        try:
            with open(f'/proc/{d}/stat') as f: ppid = int(f.read().rsplit(')', 1)[1].split()[1])
        except (OSError, IndexError, ValueError): continue
        kids.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        for c in kids.get(todo.pop(), []):
            if c not in spare: out.append(c); todo.append(c)
    return out

def kill_descendants(spare=()):
    "SIGKILL every process this script started (and theirs) but the trees rooted at `spare`, by id; repeated while new ones appear."
    for _ in range(5):
        ps = descendants(os.getpid(), spare)
        if not ps: return
        for p in reversed(ps):
            try: os.kill(p, signal.SIGKILL)
            except (ProcessLookupError, PermissionError): pass
        time.sleep(0.2)

class Deadline:
    "Context manager: after `seconds`, kill every descendant process but `spare`'s trees (the child blocking the main thread then returns)."
    def __init__(self, seconds:float, spare=()): self.seconds, self.spare, self.fired = max(1.0, seconds), tuple(spare), False
    def _fire(self): self.fired = True; kill_descendants(self.spare)
    def __enter__(self): self.t = threading.Timer(self.seconds, self._fire); self.t.daemon = True; self.t.start(); return self
    def __exit__(self, *exc): self.t.cancel()

class GpuMemorySampler:
    "Peak device memory in use (total - free, device-wide: every process), sampled every `every` s; None off CUDA."
    def __init__(self, dev:torch.device, every:float=0.5): self.dev, self.every, self.peak = dev, every, None
    def _run(self):
        while not self.stop.wait(self.every):
            try: free, total = torch.cuda.mem_get_info(self.dev)
            except Exception: return
            self.peak = max(self.peak or 0, total - free)
    def __enter__(self):
        if self.dev.type == 'cuda':
            free, total = torch.cuda.mem_get_info(self.dev); self.base = total - free
            self.stop = threading.Event(); self.th = threading.Thread(target=self._run, daemon=True); self.th.start()
        return self
    def __exit__(self, *exc):
        if self.dev.type == 'cuda': self.stop.set(); self.th.join()
    def gib(self): return None if self.peak is None else round(self.peak/2**30, 2)

def child_env(dev:torch.device, cpu_threads:int|None)->dict:
    "Environment of the launched processes: the checkout importable, no display, CPU runs pinned to the CPU."
    pp = [p for p in os.environ.get('PYTHONPATH', '').split(os.pathsep) if p and p != str(ROOT)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT)] + pp), MPLBACKEND='Agg', PYTHONUNBUFFERED='1')
    if dev.type == 'cpu':
        env['CUDA_VISIBLE_DEVICES'] = ''
        if cpu_threads: env['OMP_NUM_THREADS'] = str(cpu_threads)
    return env

def err_line(e:BaseException)->str: return f"{type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}"[:500]


# ------------------------------------------------------------------------------------------------ 3. throughput
def resnet18_forward_flops(img:int, width:int=64, num_classes:int=7, in_chans:int=3)->int:
    "Convolution + classifier FLOPs of one ResNet-18 forward pass on an img x img image (2 per multiply-add), from the shapes."
    half = lambda h: (h + 1)//2           # every stride-2 layer (7x7 p3, 3x3 p1, 1x1 p0 conv; 3x3 p1 max-pool): ceil(h/2)
    conv = lambda cin, cout, k, h: 2*cin*cout*k*k*h*h
    h = half(img); f = conv(in_chans, width, 7, h); h = half(h)   # stem conv, then the max-pool
    cin = width
    for i, c in enumerate((width, 2*width, 4*width, 8*width)):
        if i: h = half(h)
        f += conv(cin, c, 3, h) + conv(c, c, 3, h) + (conv(cin, c, 1, h) if i else 0)   # block 1 (+ 1x1 projection)
        f += 2*conv(c, c, 3, h)                                                           # block 2
        cin = c
    return f + 2*cin*num_classes

def sync(dev):
    if dev.type == 'cuda': torch.cuda.synchronize(dev)

def throughput(a, dev:torch.device)->dict:
    "images/s of ResNet-18 training steps (raw loop and Trainer) and the model FLOPs utilisation."
    cuda = dev.type == 'cuda'
    cl = cuda and not a.no_channels_last
    mf = torch.channels_last if cl else torch.contiguous_format
    if cuda:
        torch.backends.cudnn.benchmark = not a.no_cudnn_benchmark
        torch.backends.cuda.matmul.allow_tf32 = True; torch.backends.cudnn.allow_tf32 = True
        torch.cuda.reset_peak_memory_stats(dev)
    B, S = a.batch, a.img
    torch.manual_seed(0)
    model = get_backbone('resnet18', num_classes=7, width=64).to(dev, memory_format=mf)
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 256, (B, 3, S, S), dtype=torch.uint8, generator=g).to(dev).contiguous(memory_format=mf)
    y = torch.randint(0, 7, (B,), generator=g).to(dev)
    amp = cuda                                   # bf16 autocast on CUDA, as Trainer.autocast (ignored on a CPU)
    ac = lambda: torch.autocast('cuda', dtype=torch.bfloat16, enabled=amp) if cuda else torch.autocast('cpu', enabled=False)

    with FlopCounterMode(display=False) as fc:   # one forward + backward, counted
        with ac(): loss = F.cross_entropy(model(x).float(), y)
        loss.backward()
    counted = fc.get_total_flops()/B
    model.zero_grad(set_to_none=True)
    analytic = 3*resnet18_forward_flops(S, 64, 7)

    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    def step():
        with ac(): loss = F.cross_entropy(model(x).float(), y)
        loss.backward(); opt.step(); opt.zero_grad(set_to_none=True)
        return loss
    for _ in range(a.warmup): step()
    sync(dev); t0 = time.perf_counter()
    for _ in range(a.steps): loss = step()
    sync(dev); raw_s = time.perf_counter() - t0
    raw_loss = float(loss.detach())

    tr = Trainer(model, Supervised(), 'ci', device=dev, optimizer='sgd', lr=0.01, momentum=0.9, weight_decay=5e-4,
                 epochs=1, schedule='const', warmup_epochs=0, amp=True, ema=False, grad_clip=False, progress=False, seed=0,
                 num_threads=0)
    batch = (x, y)
    tr.fit([batch]*max(1, a.warmup), epochs=1)   # ends with a device synchronisation
    tr.fit([batch]*a.steps, epochs=1)            # timed by the Trainer: from the first batch to a synchronisation
    h = tr.history[-1]
    peak = a.peak_tflops*1e12
    raw_ips = B*a.steps/raw_s
    r = dict(ok=True, device=torch.cuda.get_device_name(dev) if cuda else 'CPU', img=S, batch=B, steps=a.steps,
             warmup=a.warmup, amp_bf16=amp, trainer_amp=tr.use_amp, channels_last=cl,
             cudnn_benchmark=bool(cuda and torch.backends.cudnn.benchmark),
             train_gflop_per_image_counted=round(counted/1e9, 4), train_gflop_per_image_analytic=round(analytic/1e9, 4),
             counted_over_analytic=round(counted/analytic, 4),
             raw_seconds=round(raw_s, 4), raw_images_per_s=round(raw_ips, 1), raw_loss=raw_loss,
             raw_mfu_pct=round(100*counted*raw_ips/peak, 3), raw_mfu_pct_analytic=round(100*analytic*raw_ips/peak, 3),
             trainer_seconds=round(h['time'], 4), trainer_images_per_s=round(h['images_per_s'], 1),
             trainer_loss=h['train_loss'], trainer_mfu_pct=round(100*counted*h['images_per_s']/peak, 3),
             peak_tflops=a.peak_tflops,
             peak_memory_gib=round(torch.cuda.max_memory_allocated(dev)/2**30, 2) if cuda else None)
    del tr, model, opt, x, y, batch
    if cuda: torch.cuda.empty_cache()
    return r


# ------------------------------------------------------------------------------------------------ 2. DDP
DDP_SCRIPT = r'''
import json, os, sys, time
a = json.loads(sys.argv[1]); sys.path.insert(0, a['root'])
import torch, torch.distributed as dist
from affectnb.backbones import get_backbone
from affectnb.train import Trainer
cuda = a['device'] != 'cpu' and torch.cuda.is_available()
self_init = int(os.environ['WORLD_SIZE']) == 1
if self_init:                     # the Trainer sets up torch.distributed only when WORLD_SIZE > 1: start the backend here
    if cuda: torch.cuda.set_device(int(os.environ.get('LOCAL_RANK', '0')))
    dist.init_process_group('nccl' if cuda else 'gloo')
torch.manual_seed(0)
model = get_backbone('resnet18', num_classes=7, width=64)
t0 = time.perf_counter()
tr = Trainer(model, preset='ci', device='auto' if cuda else 'cpu', optimizer='sgd', lr=0.05, momentum=0.9,
             weight_decay=5e-4, epochs=1, schedule='const', warmup_epochs=0, amp=True, ema=False, grad_clip=False,
             progress=False, seed=0, num_threads=0 if cuda else 1)
setup_s = time.perf_counter() - t0
world, rank = dist.get_world_size(), dist.get_rank()
vec0 = torch.cat([p.detach().float().flatten() for p in tr.model.parameters()])
g = torch.Generator().manual_seed(0)     # the same list on every rank; the Trainer strides it (rank r: batches r, r+W, ...)
S, B = a['img'], a['batch']
batches = [(torch.randint(0, 256, (B, 3, S, S), dtype=torch.uint8, generator=g), torch.randint(0, 7, (B,), generator=g))
           for _ in range(a['steps']*world)]
t0 = time.perf_counter()
h = tr.fit(batches, epochs=1)
fit_s = time.perf_counter() - t0
vec = torch.cat([p.detach().float().flatten() for p in tr.model.parameters()])
ref = vec.clone(); dist.broadcast(ref, 0)
diff = (vec - ref).abs().max().reshape(1); dist.all_reduce(diff, op=dist.ReduceOp.MAX)
moved = (vec - vec0).abs().max().reshape(1); dist.all_reduce(moved, op=dist.ReduceOp.MIN)
loss = torch.tensor([h[-1]['train_loss']], device=vec.device); dist.all_reduce(loss, op=dist.ReduceOp.MAX)
steps = torch.tensor([float(tr.global_step)], device=vec.device); dist.all_reduce(steps, op=dist.ReduceOp.MIN)
if rank == 0:
    out = dict(world_size=world, backend=dist.get_backend(), device=str(tr.device), trainer_world_size=tr.world_size,
               ddp_wrapped=tr.ddp is not None, self_initialised=self_init, amp_bf16=tr.use_amp, steps=int(steps.item()),
               global_batch=B*world, img=S, setup_seconds=round(setup_s, 3), fit_seconds=round(fit_s, 3),
               images_per_s=round(h[-1]['images_per_s'], 1), train_loss=h[-1]['train_loss'],
               max_param_diff=float(diff.item()), min_param_change=float(moved.item()), worst_loss=float(loss.item()),
               cuda_visible=torch.cuda.is_available())
    with open(a['result'], 'w') as f: json.dump(out, f)
dist.barrier()
dist.destroy_process_group()
'''

def ddp_check(a, dev:torch.device, work:Path, seconds:float, spare=())->dict:
    "torchrun over the GPUs present (CPU: --ddp-nproc gloo ranks); ok when every rank's parameters are identical."
    cuda = dev.type == 'cuda'
    n = torch.cuda.device_count() if cuda else a.ddp_nproc
    script, res = work/'ddp_check.py', work/'ddp_result.json'
    script.write_text(DDP_SCRIPT)
    if res.exists(): res.unlink()
    args = dict(root=str(ROOT), device='cuda' if cuda else 'cpu', img=a.ddp_img, batch=a.ddp_batch, steps=a.ddp_steps,
                result=str(res))
    cmd = [sys.executable, '-m', 'torch.distributed.run', '--standalone', f'--nproc_per_node={n}', str(script), json.dumps(args)]
    t0 = time.time()
    with Deadline(seconds, spare) as dl:
        p = subprocess.run(cmd, capture_output=True, text=True, env=child_env(dev, 1), cwd=str(work))
    r = dict(nproc=n, seconds=round(time.time() - t0, 1), rc=p.returncode, command='torchrun --standalone '
             f'--nproc_per_node={n} ddp_check.py')
    if dl.fired: r.update(ok=False, error=f'timed out after {seconds:.0f} s (killed)'); return r
    if p.returncode != 0 or not res.exists():
        lines = [l for l in (p.stderr + p.stdout).splitlines() if l.strip()]
        errs = [l for l in lines if 'Error' in l.split(':')[0] or 'error' in l.lower()]
        r.update(ok=False, error=(errs or lines or ['no output'])[-1].strip()[:500], stderr_tail=(p.stderr or '')[-3000:])
        return r
    r.update(json.loads(res.read_text()))
    want = 'nccl' if cuda else 'gloo'
    problems = []
    if r['backend'] != want: problems.append(f"backend {r['backend']}, expected {want}")
    if r['world_size'] != n: problems.append(f"world size {r['world_size']}, expected {n}")
    if r['max_param_diff'] != 0: problems.append(f"ranks' parameters differ by up to {r['max_param_diff']:.3g}")
    if not r['min_param_change'] > 0: problems.append("the parameters did not move")
    if r['steps'] != a.ddp_steps: problems.append(f"{r['steps']} steps per rank, expected {a.ddp_steps}")
    if not r['worst_loss'] == r['worst_loss'] or r['worst_loss'] in (float('inf'), float('-inf')): problems.append('non-finite loss')
    if n > 1 and not r['ddp_wrapped']: problems.append('the Trainer built no DDP wrapper')
    r.update(ok=not problems, error='; '.join(problems) or None)
    return r


# ------------------------------------------------------------------------------------------------ 1. dry runs
def papermill_missing()->list:
    "The modules papermill's executor needs that cannot be imported here."
    def absent(m):
        try: return importlib.util.find_spec(m) is None
        except (ImportError, ValueError): return True
    return [m for m in PAPERMILL_MODULES if absent(m)]

def plain_dry_run(nb:Path, data_root, out:Path, weights, max_steps:int, device:str, params:dict, timeout=None)->dict:
    "Without papermill: the notebook's code cells as one script, the parameters of `dry_run_notebook` injected after the parameters cell."
    from affectnb.paperpath import measure_child, _last_error
    ps = dict(preset='paper', max_steps=max_steps, data_root=str(data_root), device=device, out_dir=str(out/'fig'),
              results_dir=str(out/'results')) | dict(params or {})       # as affectnb.paperpath.dry_run_notebook
    src, injected = [], False
    for c in json.loads(nb.read_text())['cells']:
        if c['cell_type'] != 'code': continue
        s = ''.join(c['source'])
        if any(l.lstrip().startswith(('%', '!')) for l in s.splitlines()):
            raise RuntimeError(f"{nb.name} has IPython magics or shell lines; it needs papermill")
        src.append(s)
        if 'parameters' in c.get('metadata', {}).get('tags', []):
            src.append('# Parameters (injected)\n' + '\n'.join(f'{k} = {v!r}' for k, v in ps.items())); injected = True
    if not injected: raise RuntimeError(f"{nb.name} has no cell tagged 'parameters'")
    script = out/'notebooks'/(nb.stem + '.py'); script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text('\n\n'.join(src) + '\n')
    env = dict(os.environ, MPLBACKEND='Agg')
    if weights is not None: env['AFFECTNB_WEIGHTS'] = str(weights)
    r = measure_child([sys.executable, str(script)], env, timeout)
    return dict(notebook=f'{nb.parent.name}/{nb.name}', rc=r['rc'], ok=r['rc'] == 0, seconds=round(r['seconds'], 1),
                peak_rss_mb=None if r['peak_rss_mb'] is None else round(r['peak_rss_mb'], 1),
                error=None if r['rc'] == 0 else _last_error(r['stderr']), stderr_tail=r['stderr'][-2000:] if r['rc'] else None)

class StandinWriter:
    "`affectnb.paperpath.prepare_standins` for the chosen papers in a background process (it runs beside the DDP check)."
    def __init__(self, a, work:Path):
        papers = list(a.papers)
        self.sets = list(dict.fromkeys(s for p in papers for s in NOTEBOOKS[p][2]))
        self.weights = 'all' if a.all_weights else list(dict.fromkeys(w for p in papers for w in NOTEBOOKS[p][3]))
        key = hashlib.sha1(json.dumps([self.sets, self.weights]).encode()).hexdigest()[:10]
        self.folder = work/f'standins-{key}'          # prepare_standins' marker does not say which sets: one folder per choice
        self.log = work/f'standins-{key}.log'
    def kw(self): return dict(datasets=self.sets, weights=self.weights)
    def start(self)->'StandinWriter':
        code = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); from affectnb.paperpath import prepare_standins; "
                f"prepare_standins({str(self.folder)!r}, **{self.kw()!r})")
        self.t0, self.logf = time.time(), open(self.log, 'w')
        self.proc = subprocess.Popen([sys.executable, '-c', code], stdout=self.logf, stderr=subprocess.STDOUT,
                                     env=child_env(torch.device('cpu'), None))      # the writer needs no GPU
        return self
    def wait(self, seconds:float)->tuple:
        "(data root, weights folder, info); the in-process call finds the stand-ins written (or writes them, or raises)."
        from affectnb.paperpath import prepare_standins
        with Deadline(seconds) as dl: rc = self.proc.wait()
        self.logf.close()
        if dl.fired: raise RuntimeError(f"writing the stand-ins took over {seconds:.0f} s (killed); see {self.log}")
        if rc: print(f"[stand-ins] the background writer failed (rc {rc}); writing here:\n{self.log.read_text()[-2000:]}", flush=True)
        data, wdir = prepare_standins(self.folder, **self.kw())
        return data, wdir, dict(folder=str(self.folder), datasets=self.sets, weights=self.weights, background_rc=rc,
                                seconds=round(time.time() - self.t0, 1))

def dry_runs(a, dev:torch.device, work:Path, deadline:float, writer:StandinWriter, progress=None)->dict:
    "Stand-ins for the chosen papers (written by `writer`), then one notebook per paper at preset 'paper' in dry-run mode."
    from affectnb.paperpath import dry_run_notebook
    papers = list(a.papers)
    print(f"[stand-ins] waiting for {writer.sets} + {writer.weights} ...", flush=True)
    data, wdir, prep = writer.wait(max(20, deadline - time.time() - a.reserve_s))
    print(f"[stand-ins] ready after {prep['seconds']} s", flush=True)
    miss = papermill_missing()
    executor = a.executor if a.executor != 'auto' else ('papermill' if not miss else 'plain')
    if executor == 'papermill' and miss: raise RuntimeError(f"--executor papermill, but {miss} are not importable")
    out = work/f"run-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"   # fresh results store: nothing read from a cache
    device = 'cuda' if dev.type == 'cuda' else 'cpu'
    rows = []
    res = dict(standins=prep, executor=executor, papermill_missing=miss, max_steps=a.max_steps, run_folder=str(out), rows=rows)
    for p in papers:
        nb, params = ROOT/'nbs'/NOTEBOOKS[p][0], NOTEBOOKS[p][1]
        left = deadline - time.time() - a.reserve_s
        if left < 20:
            rows.append(dict(paper=p, notebook=NOTEBOOKS[p][0], ok=False, rc=None, seconds=0, peak_rss_mb=None,
                             error=f'not started: {left + a.reserve_s:.0f} s of the budget left', executor=executor)); continue
        limit = min(a.nb_timeout, left)
        print(f"[dry run] {p}: {NOTEBOOKS[p][0]} {params} on {device}, max_steps={a.max_steps}, up to {limit:.0f} s ...", flush=True)
        try:
            with GpuMemorySampler(dev) as gm, Deadline(limit) as dl:
                if executor == 'papermill':
                    r = dry_run_notebook(nb, data, out, wdir, max_steps=a.max_steps, device=device, params=params)
                else:
                    r = plain_dry_run(nb, data, out, wdir, a.max_steps, device, params)
            if dl.fired: r.update(ok=False, error=f'timed out after {limit:.0f} s (killed)')
            r.update(gpu_peak_gib=gm.gib())
        except Exception as e:
            r = dict(notebook=NOTEBOOKS[p][0], ok=False, rc=None, seconds=None, peak_rss_mb=None, error=err_line(e))
        r.update(paper=p, executor=executor, params=params)
        rows.append(r)
        if progress: progress(res)
        print(f"[dry run] {p}: {'ok' if r['ok'] else 'FAILED'} in {r['seconds']} s, peak RSS {r['peak_rss_mb']} MB"
              + (f", GPU {r.get('gpu_peak_gib')} GiB" if r.get('gpu_peak_gib') is not None else '')
              + ('' if r['ok'] else f": {r['error']}"), flush=True)
    return res


# ------------------------------------------------------------------------------------------------ main
def summary(rep:dict)->str:
    L = [f"== gpu_paper: {rep['device_name']} x{rep['n_gpus']}, torch {rep['torch']}, "
         f"{'SMOKE (CPU sizes)' if rep['smoke'] else 'full'}, {rep['seconds']:.0f} s"]
    d = rep.get('dry_runs')
    if d is not None:
        if 'rows' in d:
            st = d['standins']
            L.append(f"1. dry runs at preset 'paper', max_steps {d['max_steps']}, executor {d['executor']} "
                     f"(stand-ins {','.join(st['datasets'])} + {st['weights'] if st['weights'] == 'all' else len(st['weights'])} "
                     f"weight files, ready {st['seconds']} s after their background start):")
            for r in d['rows']:
                L.append(f"   {r['paper']:8s} {r['notebook']:28s} {'ok    ' if r['ok'] else 'FAILED'} {r['seconds']} s, "
                         f"RSS {r['peak_rss_mb']} MB" + (f", GPU {r['gpu_peak_gib']} GiB" if r.get('gpu_peak_gib') is not None else '')
                         + ('' if r['ok'] else f"  {r['error']}"))
        else: L.append(f"1. dry runs FAILED: {d.get('error')}")
    else: L.append("1. dry runs skipped")
    r = rep.get('ddp')
    if r is not None:
        if 'world_size' in r:
            L.append(f"2. DDP {'ok' if r['ok'] else 'FAILED'}: world size {r['world_size']}, backend {r['backend']}, "
                     f"{'DDP-wrapped' if r['ddp_wrapped'] else 'no DDP wrapper (one process)'}, {r['steps']} steps x "
                     f"{r['global_batch']} images at {r['img']} px in {r['fit_seconds']} s ({r['images_per_s']} images/s), "
                     f"max |param diff| {r['max_param_diff']:.3g}, {r['seconds']} s in all" + ('' if r['ok'] else f": {r['error']}"))
        else: L.append(f"2. DDP FAILED ({r.get('seconds')} s): {r.get('error')}")
    else: L.append("2. DDP skipped")
    t = rep.get('throughput')
    if t is not None:
        if t.get('ok'):
            L.append(f"3. ResNet-18 at {t['img']} px, batch {t['batch']}, bf16 autocast {'on' if t['amp_bf16'] else 'off (CPU)'}, "
                     f"channels_last {'on' if t['channels_last'] else 'off'}: raw {t['raw_images_per_s']} images/s "
                     f"(MFU {t['raw_mfu_pct']}%), Trainer {t['trainer_images_per_s']} images/s (MFU {t['trainer_mfu_pct']}%); "
                     f"{t['train_gflop_per_image_counted']} GFLOP/image counted, {t['train_gflop_per_image_analytic']} analytic "
                     f"(ratio {t['counted_over_analytic']}); peak {t['peak_tflops']} TFLOP/s"
                     + (f"; {t['peak_memory_gib']} GiB" if t['peak_memory_gib'] is not None else ''))
        else: L.append(f"3. throughput FAILED: {t.get('error')}")
    else: L.append("3. throughput skipped")
    L.append(f"== {'PASS' if rep['ok'] else 'FAIL'}")
    return '\n'.join(L)

def main(a)->int:
    t_start = time.time()
    deadline = t_start + a.budget_s
    if a.smoke:
        a.device = 'cpu' if a.device == 'auto' else a.device
        a.batch, a.img, a.steps, a.warmup = 4, 64, 3, 1
        a.ddp_img, a.ddp_batch, a.ddp_steps = 64, 4, 3
        a.max_steps = 1
        if a.papers is None: a.papers = ['leaf']
        torch.set_num_threads(1)
    if a.papers is None: a.papers = list(NOTEBOOKS)
    bad = [p for p in a.papers if p not in NOTEBOOKS]
    if bad: raise SystemExit(f"unknown paper(s) {bad}; expected some of {list(NOTEBOOKS)}")
    dev = torch.device(a.device if a.device != 'auto' else ('cuda' if torch.cuda.is_available() else 'cpu'))
    if dev.type == 'cuda' and not torch.cuda.is_available(): raise SystemExit("--device cuda, but torch sees no GPU")
    if dev.type == 'cuda' and dev.index is None: dev = torch.device('cuda', torch.cuda.current_device())
    work = Path(a.work or Path(tempfile.gettempdir())/'affectnb_gpu_paper').resolve(); work.mkdir(parents=True, exist_ok=True)
    os.environ['PYTHONPATH'] = child_env(dev, None)['PYTHONPATH']      # the notebooks' kernels import this checkout
    os.environ.setdefault('AFFECTNB_CACHE', str(work/'cache'))          # nothing written into the checkout
    if dev.type == 'cpu': os.environ['CUDA_VISIBLE_DEVICES'] = ''            # CPU runs: the children see no GPU either
    if a.smoke: os.environ.setdefault('OMP_NUM_THREADS', '1')
    rep = dict(script='bench/gpu_paper.py', smoke=a.smoke, device=str(dev), torch=torch.__version__,
               device_name=torch.cuda.get_device_name(dev) if dev.type == 'cuda' else 'CPU',
               n_gpus=torch.cuda.device_count() if dev.type == 'cuda' else 0, cpu_count=os.cpu_count(), work=str(work),
               budget_s=a.budget_s)
    print(f"gpu_paper: {rep['device_name']}, torch {rep['torch']}, work folder {work}, budget {a.budget_s} s", flush=True)

    def save():
        "gpu_paper.json in --out after every part (a call cut short still leaves what was measured)."
        if a.out: atomic_write(Path(a.out)/'gpu_paper.json', json.dumps(rep, indent=1, default=str) + '\n')
    if not a.skip_throughput:
        print("[throughput] ResNet-18 ...", flush=True)
        try: rep['throughput'] = throughput(a, dev)
        except Exception as e: traceback.print_exc(); rep['throughput'] = dict(ok=False, error=err_line(e))
        if dev.type == 'cuda': torch.cuda.empty_cache()
        print(f"[throughput] {rep['throughput']}", flush=True); save()
    writer = None
    if not a.skip_dry_runs:                                              # written while the DDP check runs
        try: writer = StandinWriter(a, work).start()
        except Exception as e: traceback.print_exc(); rep['dry_runs'] = dict(error=err_line(e))
    if not a.skip_ddp:
        print("[ddp] torchrun ...", flush=True)
        try: rep['ddp'] = ddp_check(a, dev, work, min(a.ddp_timeout, max(30, deadline - time.time())),
                                    spare=[writer.proc.pid] if writer is not None else ())
        except Exception as e: traceback.print_exc(); rep['ddp'] = dict(ok=False, error=err_line(e))
        print(f"[ddp] {({k: v for k, v in rep['ddp'].items() if k != 'stderr_tail'})}", flush=True); save()
    if writer is not None:
        try: rep['dry_runs'] = dry_runs(a, dev, work, deadline, writer, lambda d: (rep.__setitem__('dry_runs', d), save()))
        except Exception as e: traceback.print_exc(); rep['dry_runs'] = dict(error=err_line(e))

    fails = []
    if 'throughput' in rep and not rep['throughput'].get('ok'): fails.append('throughput')
    if 'ddp' in rep and not rep['ddp'].get('ok'): fails.append('ddp')
    if 'dry_runs' in rep:
        d = rep['dry_runs']
        if 'rows' not in d: fails.append('dry runs')
        else: fails += [f"dry run {r['paper']}" for r in d['rows'] if not r['ok']]
    rep.update(ok=not fails, failures=fails, seconds=round(time.time() - t_start, 1))

    save()
    if a.out:
        o = Path(a.out)
        for r in rep.get('dry_runs', {}).get('rows', []):         # the executed notebook (or script) of each failure
            if r['ok']: continue
            base = Path(rep['dry_runs']['run_folder'])/'notebooks'/Path(r['notebook']).name
            for f in (base, base.with_suffix('.py')):
                if f.is_file(): shutil.copy(f, o/f"failed_{f.name}")
    print(summary(rep), flush=True)
    print('GPU_PAPER_JSON ' + json.dumps(rep, default=str), flush=True)
    return 0 if rep['ok'] else 1


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--smoke', action='store_true', help="CPU sizes: 64 px, batch 4, 2 gloo ranks, one leaf dry run (runs anywhere)")
    ap.add_argument('--device', default='auto', help="auto | cpu | cuda")
    ap.add_argument('--out', help="write gpu_paper.json (and the failed dry runs' notebooks) here, e.g. $OUT")
    ap.add_argument('--work', help="stand-ins and dry-run outputs (default: <tmp>/affectnb_gpu_paper; stand-ins are reused)")
    ap.add_argument('--budget-s', type=float, default=540, help="the whole script's time budget in seconds (default 540)")
    ap.add_argument('--reserve-s', type=float, default=15, help="seconds of the budget kept for the summary")
    # 1. dry runs
    ap.add_argument('--papers', nargs='+', help=f"papers to dry-run (default: all, {list(NOTEBOOKS)}; smoke: leaf)")
    ap.add_argument('--max-steps', type=int, default=2, help="optimisation steps per run of a dry run (default 2; smoke 1)")
    ap.add_argument('--nb-timeout', type=float, default=240, help="seconds per notebook at most (default 240)")
    ap.add_argument('--executor', choices=('auto', 'papermill', 'plain'), default='auto',
                    help="papermill (affectnb.paperpath.dry_run_notebook) or plain (code cells as a script); auto: papermill if importable")
    ap.add_argument('--all-weights', action='store_true', help="write every stand-in weight file, not only the chosen notebooks'")
    ap.add_argument('--skip-dry-runs', action='store_true')
    # 2. DDP
    ap.add_argument('--ddp-nproc', type=int, default=2, help="processes on a CPU (gloo); on CUDA: the GPUs present")
    ap.add_argument('--ddp-batch', type=int, default=64, help="images per rank and step (default 64)")
    ap.add_argument('--ddp-img', type=int, default=224)
    ap.add_argument('--ddp-steps', type=int, default=10)
    ap.add_argument('--ddp-timeout', type=float, default=180)
    ap.add_argument('--skip-ddp', action='store_true')
    # 3. throughput
    ap.add_argument('--batch', type=int, default=256)
    ap.add_argument('--img', type=int, default=224)
    ap.add_argument('--steps', type=int, default=30)
    ap.add_argument('--warmup', type=int, default=10)
    ap.add_argument('--peak-tflops', type=float, default=H200_BF16_DENSE_TFLOPS,
                    help="the GPU's dense bf16 peak in TFLOP/s (default: H200 SXM, 989.4)")
    ap.add_argument('--no-channels-last', action='store_true')
    ap.add_argument('--no-cudnn-benchmark', action='store_true')
    ap.add_argument('--skip-throughput', action='store_true')
    sys.exit(main(ap.parse_args()))
