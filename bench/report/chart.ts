/**
 * @file bench/chart.svg: grouped bar charts drawn from results.json with no dependencies —
 * the full pipeline per photo (each side's p50) and per-model run times on 1 vs 2 WASM
 * threads. Sections that did not run are left out.
 */
import type { Results } from './results.ts';

interface Group {
  label: string;
  values: (number | null)[];
}

interface Panel {
  title: string;
  series: string[];
  groups: Group[];
}

const COLORS = ['#1f6feb', '#79a8f5', '#d1242f', '#f08c8c', '#8250df', '#2da44e'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function panelSvg(p: Panel, top: number, width: number): { svg: string; height: number } {
  const left = 60;
  const plotH = 220;
  const max = Math.max(1, ...p.groups.flatMap((g) => g.values.filter((v): v is number => v !== null)));
  const groupW = (width - left - 20) / Math.max(1, p.groups.length);
  const barW = Math.max(4, (groupW - 14) / Math.max(1, p.series.length));
  const y0 = top + 50 + plotH;
  const parts: string[] = [
    `<text x="${left}" y="${top + 20}" font-size="15" font-weight="bold">${esc(p.title)}</text>`,
    `<line x1="${left}" y1="${y0}" x2="${width - 20}" y2="${y0}" stroke="#444"/>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    const y = y0 - (plotH * i) / 4;
    parts.push(`<line x1="${left}" y1="${y}" x2="${width - 20}" y2="${y}" stroke="#ddd"/>`);
    parts.push(`<text x="${left - 6}" y="${y + 4}" font-size="10" text-anchor="end">${Math.round(v)}</text>`);
  }
  let legendX = left;
  p.series.forEach((name, s) => {
    parts.push(`<rect x="${legendX}" y="${top + 30}" width="10" height="10" fill="${COLORS[s % COLORS.length]}"/>`);
    parts.push(`<text x="${legendX + 14}" y="${top + 39}" font-size="11">${esc(name)}</text>`);
    legendX += 30 + name.length * 6.5;
  });
  p.groups.forEach((g, gi) => {
    const gx = left + gi * groupW + 7;
    g.values.forEach((v, s) => {
      if (v === null) return;
      const h = (plotH * v) / max;
      const x = gx + s * barW;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${(y0 - h).toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${COLORS[s % COLORS.length]}"><title>${esc(`${g.label} — ${p.series[s]}: ${v} ms`)}</title></rect>`,
      );
      if (barW >= 18) {
        parts.push(
          `<text x="${(x + barW / 2 - 1).toFixed(1)}" y="${(y0 - h - 3).toFixed(1)}" font-size="9" text-anchor="middle">${Math.round(v)}</text>`,
        );
      }
    });
    parts.push(
      `<text x="${(gx + (groupW - 14) / 2).toFixed(1)}" y="${y0 + 14}" font-size="10" text-anchor="middle">${esc(g.label)}</text>`,
    );
  });
  parts.push(
    `<text x="14" y="${top + 50 + plotH / 2}" font-size="10" transform="rotate(-90 14 ${top + 50 + plotH / 2})">ms (p50)</text>`,
  );
  return { svg: parts.join('\n'), height: plotH + 80 };
}

type Obj = Record<string, unknown>;

function pipelinePanel(r: Results): Panel | null {
  const perPhoto = (r.pipeline as Obj).per_photo as
    { photo: string; ms_p50: Record<string, number | null> }[] | undefined;
  if (!perPhoto?.length) return null;
  const threads = (key: string) => {
    const n = (r.pipeline as Obj)[key];
    return typeof n === 'number' ? `${n} thread${n > 1 ? 's' : ''}` : '?';
  };
  const sides: [string, string][] = [
    ['hotlens', `hotlens as shipped (${threads('hotlens_threads')})`],
    ['hotlens_other_threads', `hotlens (${threads('hotlens_other_threads')})`],
    ['faceapi_wasm_1t', 'face-api wasm (1 thread)'],
    ['faceapi_wasm_2t', 'face-api wasm (2 threads)'],
  ];
  return {
    title: 'Full pipeline per photo, drop → annotations (p50 ms, lower is better)',
    series: sides.map(([, label]) => label),
    groups: perPhoto.map((p) => ({
      label: p.photo.replace('.jpg', ''),
      values: sides.map(([k]) => p.ms_p50[k] ?? null),
    })),
  };
}

function modelsPanel(r: Results): Panel | null {
  const rows = (r.models as Obj | undefined)?.rows as
    { model: string; encoding: string; batch: number; runtime: string; run_ms: { p50: number | null } }[] | undefined;
  if (!rows?.length) return null;
  const keys = [...new Set(rows.filter((x) => x.encoding === 'uint8').map((x) => `${x.model} b${x.batch}`))];
  const at = (key: string, runtime: string) =>
    rows.find((x) => x.encoding === 'uint8' && `${x.model} b${x.batch}` === key && x.runtime === runtime)?.run_ms.p50 ??
    null;
  return {
    title: 'Per model, uint8 files on onnxruntime-web WASM (run p50 ms)',
    series: ['1 thread', '2 threads'],
    groups: keys.map((k) => ({ label: k, values: [at(k, 'wasm-1t'), at(k, 'wasm-2t')] })),
  };
}

/** The whole SVG document. */
export function renderChart(r: Results): string {
  const width = 900;
  const panels = [pipelinePanel(r), modelsPanel(r)].filter((p): p is Panel => p !== null);
  let top = 10;
  const body: string[] = [];
  for (const p of panels) {
    const { svg, height } = panelSvg(p, top, width);
    body.push(svg);
    top += height + 20;
  }
  if (panels.length === 0) {
    body.push('<text x="20" y="40" font-size="14">No pipeline or models figures in this run.</text>');
    top = 60;
  }
  const load = ((r.pipeline as Obj).load_average_1min ?? {}) as { before?: number; after?: number };
  const caption = `${r.machine.cpu_model}, ${r.machine.cores} cores, ${r.machine.chromium}; 1-min load during the pipeline section ${load.before ?? '?'} → ${load.after ?? '?'}`;
  body.push(`<text x="20" y="${top + 10}" font-size="10" fill="#555">${esc(caption)}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top + 24}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="#fff"/>\n${body.join('\n')}\n</svg>\n`;
}
