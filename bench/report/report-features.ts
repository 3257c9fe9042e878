/**
 * @file The objects and classification part of REPORT.md: hotlens against Human's centernet
 * path and nsfwjs on TF.js wasm, per photo and overall, with what each side found.
 */
import { ms, table } from './markdown.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' ? (v as Obj) : {});

interface PerPhoto {
  photo: string;
  hotlens_ms: number | null;
  peer_ms: number | null;
  hotlens_found: number | string | null;
  peer_found: number | string | null;
}

function pair(title: string, peer: string, found: string, v: Obj): string {
  const rows = (v.per_photo ?? []) as PerPhoto[];
  const h = obj(v.hotlens);
  const p = obj(v.peer);
  return [
    `**${title}: ${peer} ms ÷ hotlens ms = ${String(v.ratio_peer_over_hotlens ?? '—')}×** (median over photos; > 1 means hotlens is faster). ` +
      `hotlens p50 ${String(v.hotlens_ms_p50 ?? '—')} ms (worker p50 ${String(obj(h.worker_ms).p50 ?? '—')} ms), ` +
      `${peer} p50 ${String(v.peer_ms_p50 ?? '—')} ms (without decode p50 ${String(obj(p.without_decode_ms).p50 ?? '—')} ms).`,
    '',
    table(
      ['photo', 'hotlens ms', `${peer} ms`, `${found} (hotlens / ${peer})`],
      rows.map((r) => [r.photo, ms(r.hotlens_ms), ms(r.peer_ms), `${r.hotlens_found ?? '—'} / ${r.peer_found ?? '—'}`]),
    ),
  ].join('\n');
}

/** The section as Markdown. */
export function featuresMarkdown(section: unknown): string {
  const s = obj(section);
  if (!s.objects) return `Not measured${typeof s.error === 'string' ? `: ${s.error}` : ' (section not run)'}.`;
  const setup = obj(s.setup);
  const peers = obj(setup.peers);
  return [
    `Same browser, same photos (face-api's six samples), same weights; ${String(setup.rounds)} interleaved rounds after a warm-up. ` +
      `hotlens ${String(setup.hotlens_threads)} thread(s) as shipped; TF.js ${String(peers.tfjs ?? '?')} wasm with ${String(peers.threads ?? '?')} thread(s). ` +
      `${String(setup.timing ?? '')}.`,
    '',
    pair('Objects', 'Human centernet', 'objects found', obj(s.objects)),
    '',
    pair('Classification', 'nsfwjs', 'top class', obj(s.classification)),
  ].join('\n');
}
