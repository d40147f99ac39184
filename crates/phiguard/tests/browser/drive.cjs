// Opens a phiguard HTML report in headless Chromium (playwright-core), performs what a reader does, and prints
// what it observed as one JSON object on stdout. The calling test decides what is right.
//
// node drive.cjs REPORT.html OUTDIR [--severity S] [--search TEXT] [--hipaa CITATION] [--repeat N] [--no-pdf]
// Environment: PHIGUARD_PLAYWRIGHT_CORE (path of the playwright-core package), PHIGUARD_CHROMIUM (browser binary).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const url = require('url');

const args = process.argv.slice(2);
const report = path.resolve(args[0]);
const outdir = path.resolve(args[1]);
function opt(name, dflt) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
}
const severity = opt('--severity', 'high');
const search = opt('--search', '');
const repeat = Number(opt('--repeat', '1'));
const wantPdf = args.indexOf('--no-pdf') < 0;

const pw = require(process.env.PHIGUARD_PLAYWRIGHT_CORE || 'playwright-core');
const executablePath = process.env.PHIGUARD_CHROMIUM || '/usr/bin/chromium';

async function main() {
  fs.mkdirSync(outdir, { recursive: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'phiguard-chromium-'));
  const context = await pw.chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  const out = { network_requests: [], console_errors: [], page_errors: [], loads: [] };
  try {
    // Anything but the report file itself is a network request the report must not make.
    await context.route('**/*', (route) => {
      const u = route.request().url();
      if (u.startsWith('file:')) return route.continue();
      out.network_requests.push(u);
      return route.abort();
    });
    const page = context.pages()[0] || (await context.newPage());
    page.on('console', (m) => { if (m.type() === 'error') out.console_errors.push(m.text()); });
    page.on('pageerror', (e) => out.page_errors.push(String(e)));
    const href = url.pathToFileURL(report).href;

    for (let i = 0; i < repeat; i++) {
      await page.goto(href, { waitUntil: 'load' });
      await page.waitForSelector('body[data-ready="1"]', { timeout: 120000 });
      out.loads.push(await page.evaluate(() => {
        const mark = performance.getEntriesByName('phiguard:first-render')[0];
        const nav = performance.getEntriesByType('navigation')[0];
        return {
          first_render_ms: mark ? mark.startTime : null,
          dom_content_loaded_ms: nav ? nav.domContentLoadedEventEnd : null,
          load_ms: nav ? nav.loadEventEnd : null,
        };
      }));
    }

    out.summary = await page.evaluate(() => {
      const num = (e) => Number(e.querySelector('.n').textContent.replace(/,/g, ''));
      const stats = {};
      document.querySelectorAll('[data-stat]').forEach((e) => { stats[e.getAttribute('data-stat')] = num(e); });
      const sev = {};
      document.querySelectorAll('[data-sev-count]').forEach((e) => { sev[e.getAttribute('data-sev-count')] = num(e); });
      const standards = {};
      document.querySelectorAll('tr[data-standard]').forEach((e) => {
        standards[e.getAttribute('data-standard')] = e.querySelector('[data-status]').getAttribute('data-status');
      });
      const sections = Array.from(document.querySelectorAll('main > section')).map((s) => s.id);
      const content = {};
      document.querySelectorAll('main > section').forEach((s) => {
        content[s.id] = { rows: s.querySelectorAll('tbody tr').length, lines: s.querySelectorAll('svg polyline').length };
      });
      const otherCitations = document.querySelectorAll('table.other-citations tbody tr').length;
      // The analysis sections as shown: their summary, and each row's status and cells.
      const analyses = {};
      ['segmentation', 'rbac'].forEach((id) => {
        const s = document.getElementById(id);
        if (!s) return;
        const summary = {};
        s.querySelectorAll('dl.kv dt').forEach((dt) => { summary[dt.textContent] = dt.nextElementSibling.textContent; });
        const rows = Array.from(s.querySelectorAll('table.analysis tbody tr')).map((tr) => ({
          status: tr.getAttribute('data-status'),
          cells: Array.from(tr.querySelectorAll('td')).map((td) => td.textContent),
        }));
        analyses[id] = { title: s.querySelector('h2') ? s.querySelector('h2').textContent : '', summary, rows };
      });
      return { stats, severity: sev, standards, sections, content, other_citations: otherCitations, analyses };
    });
    out.initial = await visibleRows(page);
    await settle(page);
    await page.screenshot({ path: path.join(outdir, 'report.png'), fullPage: false });
    out.screenshot = path.join(outdir, 'report.png');

    // Filter by severity, as a reader would: pick it in the select.
    out.filter_ms = await timeFilter(page, async () => {
      await page.selectOption('select[data-filter="severity"]', severity);
    });
    out.filtered = await visibleRows(page);
    await settle(page);
    await page.screenshot({ path: path.join(outdir, 'filtered.png'), fullPage: false });

    // The matrix links a standard's count to the findings behind it.
    const hipaa = opt('--hipaa', '');
    if (hipaa) {
      await page.selectOption('select[data-filter="severity"]', '');
      await page.click('#matrix button[data-filter-hipaa="' + hipaa + '"]');
      out.by_hipaa = await visibleRows(page);
      out.by_hipaa.filter = await page.inputValue('select[data-filter="hipaa"]');
      await page.selectOption('select[data-filter="hipaa"]', '');
      await page.selectOption('select[data-filter="status"]', 'open');
    }

    if (search) {
      await page.selectOption('select[data-filter="severity"]', '');
      out.search_ms = await timeFilter(page, async () => {
        await page.fill('input[data-filter="q"]', search);
      });
      out.searched = await visibleRows(page);
    }

    if (wantPdf) {
      await page.selectOption('select[data-filter="severity"]', '');
      await page.fill('input[data-filter="q"]', '');
      await page.waitForFunction(() => document.getElementById('result-count').dataset.visible !== undefined);
      await page.emulateMedia({ media: 'print' });
      await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
      out.printed = await visibleRows(page);
      await page.pdf({ path: path.join(outdir, 'report.pdf'), format: 'A4', printBackground: true, preferCSSPageSize: true });
      out.pdf = path.join(outdir, 'report.pdf');
    }
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

// Time from the user's action to the filtered rows on screen (the report's mark, then the next frame).
async function timeFilter(page, action) {
  await page.evaluate(() => { performance.clearMarks('phiguard:filter-applied'); window.__t0 = performance.now(); });
  await action();
  await page.waitForFunction(() => performance.getEntriesByName('phiguard:filter-applied').length > 0);
  return page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => {
    const mark = performance.getEntriesByName('phiguard:filter-applied')[0];
    resolve({ to_mark_ms: mark.startTime - window.__t0, to_frame_ms: performance.now() - window.__t0 });
  })));
}

// Two animation frames, so that what was just rendered has been painted.
function settle(page) {
  return page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

async function visibleRows(page) {
  return page.evaluate(() => {
    const cards = Array.from(document.querySelectorAll('#finding-list .finding'));
    return {
      count: Number(document.getElementById('result-count').getAttribute('data-visible')),
      rendered: cards.length,
      codes: cards.map((c) => c.getAttribute('data-code')),
      severities: cards.map((c) => c.querySelector('.badge').textContent),
      text: cards.slice(0, 50).map((c) => c.textContent),
    };
  });
}

main().catch((e) => { process.stderr.write(String(e && e.stack || e) + '\n'); process.exit(1); });
