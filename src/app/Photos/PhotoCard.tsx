/**
 * @file One gallery card: a pending file, an annotated result with its downloads, or an error
 * card that says what is wrong with that file.
 */
import { useState } from 'react';
import { photoRemoved } from '../../store/photos-slice.ts';
import type { PhotoItem } from '../../store/types.ts';
import { AnnotatedPreview } from './AnnotatedPreview.tsx';
import { downloadJson, downloadPng } from './export.ts';
import { ResultDetails } from './ResultDetails.tsx';
import { countsFor, detailsFor } from '../feature-views.ts';

function RemoveButton({ item }: { item: PhotoItem }) {
  return (
    <button
      type="button"
      className="icon-button"
      aria-label={`Remove ${item.name}`}
      title="Remove"
      onClick={() => photoRemoved(item.id)}
    >
      ×
    </button>
  );
}

/** The card's title (the file name, labelling the card) and its remove button. */
function CardHead({ item, titleId }: { item: PhotoItem; titleId: string }) {
  return (
    <div className="card__head">
      <h3 id={titleId} className="card__title">
        {item.name}
      </h3>
      <RemoveButton item={item} />
    </div>
  );
}

/** Renders the card for one item in its current state. */
export function PhotoCard({ item }: { item: PhotoItem }) {
  const [exporting, setExporting] = useState(false);
  const titleId = `${item.id}-title`;
  if (item.status === 'error' && item.error) {
    return (
      <article className="card card--error" aria-labelledby={titleId} data-testid="error-card">
        <div className="card__body">
          <CardHead item={item} titleId={titleId} />
          <p className="card__error-title">{item.error.title}</p>
          <p className="card__error">{item.error.message}</p>
        </div>
      </article>
    );
  }
  if (item.status !== 'done' || !item.result) {
    return (
      <article className="card card--pending" aria-labelledby={titleId} aria-busy="true" data-testid="pending-card">
        <div className="card__placeholder">
          <span className="spinner" aria-hidden="true" />
        </div>
        <div className="card__body">
          <h3 id={titleId} className="card__title">
            {item.name}
          </h3>
          <p className="card__meta">{item.status === 'running' ? 'Annotating…' : 'Queued'}</p>
        </div>
      </article>
    );
  }
  const { annotation, timings } = item.result;
  const counts = countsFor(annotation);
  return (
    <article className="card" aria-labelledby={titleId} data-testid="result-card">
      <AnnotatedPreview file={item.file} annotation={annotation} />
      <div className="card__body">
        <CardHead item={item} titleId={titleId} />
        <p className="card__meta">
          {annotation.width}×{annotation.height}
          {counts ? ` · ${counts}` : ''} · {Math.round(timings.total ?? 0)} ms
        </p>
        <ResultDetails sections={detailsFor(annotation)} />
        <div className="card__actions">
          <button
            type="button"
            className="button button--small"
            disabled={exporting}
            aria-label={`Download ${item.name} as annotated PNG`}
            onClick={() => {
              setExporting(true);
              void downloadPng(item.file, annotation).finally(() => setExporting(false));
            }}
          >
            {exporting ? 'Rendering…' : 'PNG'}
          </button>
          <button
            type="button"
            className="button button--small"
            aria-label={`Download ${item.name} annotations as JSON`}
            onClick={() => downloadJson(annotation)}
          >
            JSON
          </button>
        </div>
      </div>
    </article>
  );
}
