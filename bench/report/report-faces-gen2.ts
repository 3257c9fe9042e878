/**
 * @file The generation-2 faces part of REPORT.md: hotlens serving face-models generation 2
 * against Human 3.3.6's face pipeline on TF.js wasm, per photo and overall, with the faces
 * each side found.
 */
import { ms, table } from './markdown.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' ? (v as Obj) : {});
const text = (v: unknown): string => (v === null || v === undefined ? '—' : String(v));

interface PerPhoto {
  photo: string;
  hotlens_ms: number | null;
  human_ms: number | null;
  ratio_human_over_hotlens: number | null;
  hotlens_faces: number | null;
  human_faces: number | null;
  hotlens_faces_described: number | null;
}

/** The section as Markdown. */
export function facesGen2Markdown(section: unknown): string {
  const s = obj(section);
  if (s.hotlens_ms_p50 === undefined)
    return `Not measured${typeof s.error === 'string' ? `: ${s.error}` : ' (section not run)'}.`;
  const setup = obj(s.setup);
  const human = obj(setup.human);
  const threads = obj(setup.threads);
  const models = Object.entries(obj(setup.hotlens_models))
    .map(([id, v]) => `${id} ${text(v)}`)
    .join(', ');
  const rows = (s.per_photo ?? []) as PerPhoto[];
  const totals = obj(s.faces_total);
  return [
    `**Human ms ÷ hotlens ms = ${text(s.ratio_human_over_hotlens)}×** (median over the six photos; > 1 means hotlens is faster). ` +
      `hotlens p50 ${text(s.hotlens_ms_p50)} ms (worker p50 ${text(obj(obj(s.hotlens).worker_ms).p50)} ms), ` +
      `Human p50 ${text(s.human_ms_p50)} ms (detect without decode p50 ${text(obj(obj(s.human).detect_ms).p50)} ms).`,
    '',
    table(
      ['photo', 'hotlens ms', 'Human ms', 'ratio', 'faces (hotlens / Human)', 'hotlens faces described'],
      rows.map((r) => [
        r.photo,
        ms(r.hotlens_ms),
        ms(r.human_ms),
        r.ratio_human_over_hotlens,
        `${text(r.hotlens_faces)} / ${text(r.human_faces)}`,
        r.hotlens_faces_described,
      ]),
    ),
    '',
    `Faces in all: hotlens ${text(totals.hotlens)}, Human ${text(totals.human)}.`,
    '',
    `Set-up: same browser, same photos (face-api's six samples); ${text(setup.rounds)} interleaved rounds after a warm-up pass. ` +
      `hotlens: ${models} (${text(setup.hotlens_backend)}, ${text(threads.hotlens)} thread(s)). ` +
      `Human ${text(human.human)} on TF.js ${text(human.tfjs)} ${text(human.backend)} with ${text(threads.human)} thread(s), models ${((human.models ?? []) as string[]).join(', ')}. ` +
      `${text(setup.human_side)}. Timing — ${text(setup.timing)}. ${text(setup.faces)}. ` +
      `Load average ${text(setup.load_average_before)} → ${text(setup.load_average_after)}.`,
  ].join('\n');
}
