"""The report site (affectnb.report) in a real browser: headless Chromium (Debian's package) loads the index and paper
pages over HTTP; each must render (text on the page), every image must decode, and no local link may be broken.

Chromium is driven through its DevTools protocol over a websocket (`websocket-client`); no browser download, no
network: the site is served from 127.0.0.1. Without Chromium the test is skipped, unless AFFECTNB_REQUIRE_BROWSER is
set (CI sets it, and `.ci/run` installs Chromium), when it fails."""
import json, os, shutil, subprocess, tempfile, threading, time, urllib.error, urllib.request
from functools import partial
from http.server import ThreadingHTTPServer, SimpleHTTPRequestHandler
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parent.parent
pytest.importorskip('myst_nb', reason="the report extra (pip install 'affectnb[report]') is not installed")
websocket = pytest.importorskip('websocket')
from affectnb.report import build_report

def _chromium()->str:
    for n in ('chromium', 'chromium-browser', 'google-chrome'):
        if p := shutil.which(n): return p
    msg = "headless Chromium is needed for the browser test (Debian: apt-get install chromium)"
    if os.environ.get('AFFECTNB_REQUIRE_BROWSER'): pytest.fail(msg)
    pytest.skip(msg)

class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *a): pass

class Browser:
    "A headless Chromium driven over the DevTools protocol: load a page, evaluate JavaScript in it."
    def __init__(self, exe:str):
        self.dir, self.i, self.events = tempfile.mkdtemp(), 0, []
        self.proc = subprocess.Popen([exe, '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
                                      '--no-first-run', '--remote-debugging-port=0', '--remote-allow-origins=*',
                                      f'--user-data-dir={self.dir}', 'about:blank'],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file, t0 = Path(self.dir)/'DevToolsActivePort', time.time()
        while not (port_file.is_file() and port_file.read_text().strip()):
            if self.proc.poll() is not None or time.time() - t0 > 60: raise RuntimeError(f'{exe} did not start (rc {self.proc.poll()})')
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        targets = json.load(urllib.request.urlopen(f'http://127.0.0.1:{port}/json/list', timeout=30))
        page = next(t for t in targets if t['type'] == 'page')
        self.ws = websocket.create_connection(page['webSocketDebuggerUrl'], timeout=120, suppress_origin=True)

    def call(self, method:str, **params)->dict:
        self.i += 1
        self.ws.send(json.dumps(dict(id=self.i, method=method, params=params)))
        while True:
            m = json.loads(self.ws.recv())
            if m.get('id') == self.i:
                if 'error' in m: raise RuntimeError(f"{method}: {m['error']}")
                return m.get('result', {})
            self.events.append(m)

    def load(self, url:str):
        self.call('Page.enable'); self.events.clear()
        self.call('Page.navigate', url=url)
        t0 = time.time()
        while not any(e.get('method') == 'Page.loadEventFired' for e in self.events):
            if time.time() - t0 > 120: raise TimeoutError(f'{url} did not load in 120 s')
            self.events.append(json.loads(self.ws.recv()))

    def evaluate(self, js:str):
        r = self.call('Runtime.evaluate', expression=js, awaitPromise=True, returnByValue=True)
        if 'exceptionDetails' in r: raise RuntimeError(f"JavaScript failed: {r['exceptionDetails']}")
        return r['result'].get('value')

    def close(self):
        try: self.ws.close()
        finally:
            self.proc.terminate(); self.proc.wait(30); shutil.rmtree(self.dir, ignore_errors=True)

_INSPECT = """(async () => {
  const imgs = Array.from(document.images);
  const images = await Promise.all(imgs.map(i => { i.loading = 'eager';
      return i.decode().then(() => [i.src, i.naturalWidth > 0], () => [i.src, false]); }));
  return {title: document.title, text: document.body.innerText.length, images: images,
          links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href)};
})()"""

@pytest.fixture(scope='module')
def site(tmp_path_factory):
    "The report of the committed figures/ (with the API pages), served on 127.0.0.1."
    out = tmp_path_factory.mktemp('site')
    index = build_report(ROOT/'figures', out)
    server = ThreadingHTTPServer(('127.0.0.1', 0), partial(_Quiet, directory=str(index.parent)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f'http://127.0.0.1:{server.server_address[1]}/'
    server.shutdown()

@pytest.fixture(scope='module')
def browser():
    b = Browser(_chromium())
    yield b
    b.close()

def _broken(links:list, base:str)->list:
    "The local links (under `base`) that do not answer 200."
    bad = []
    for url in sorted({l.split('#')[0] for l in links if l.startswith(base)}):
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                if r.status != 200: bad.append(f'{url}: {r.status}')
        except urllib.error.URLError as e: bad.append(f'{url}: {e}')
    return bad

@pytest.mark.parametrize('page,min_images', [('index.html', 0), ('leaf.html', 5), ('lsef.html', 3), ('audit.html', 0), ('claims.html', 0)])
def test_page_renders_in_chromium(site, browser, page, min_images):
    browser.load(site + page)
    r = browser.evaluate(_INSPECT)
    assert 'affectnb' in r['title'], r['title']
    assert r['text'] > 500, f'{page} is (nearly) blank: {r["text"]} characters of text'
    assert len(r['images']) >= min_images, f'{page}: {len(r["images"])} images, expected at least {min_images}'
    bad = [src for src, ok in r['images'] if not ok]
    assert not bad, f'{page}: images that did not load: {bad}'
    assert not _broken(r['links'], site), f'{page}: broken local links: {_broken(r["links"], site)}'

def test_the_check_can_fail(site, browser):
    "A missing page and a broken image are caught by the same inspection."
    assert _broken([site + 'no-such-page.html'], site)
    browser.load(site + 'index.html')
    r = browser.evaluate("document.body.insertAdjacentHTML('beforeend', '<img src=\"nope.png\">');" + _INSPECT)
    assert any(not ok for _, ok in r['images'])
