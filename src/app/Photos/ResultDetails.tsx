/**
 * @file The details of one photo, one section per feature that ran (faces, objects, …): a row
 * per thing found with its facts, a swatch matching its box, and probability bars; each row is
 * also one sentence for screen readers.
 */
import type { DetailSection } from '../../shared/feature.ts';
import './ResultDetails.css';

/** One feature's section. */
function Section({ section }: { section: DetailSection }) {
  if (section.items.length === 0) return <p className="details__none">{section.empty}</p>;
  return (
    <ol className="details" aria-label={section.title}>
      {section.items.map((item, i) => (
        <li
          key={i}
          className={`details__item${item.muted ? ' details__item--muted' : ''}`}
          data-testid={item.testId}
          aria-label={item.description}
        >
          {item.swatch && <span className="details__swatch" style={{ background: item.swatch }} aria-hidden="true" />}
          <span className="details__title" aria-hidden="true">
            {item.title}
          </span>
          <span className="details__facts" aria-hidden="true">
            {item.facts.map((fact, j) => (
              <span key={j} className={fact.muted ? 'details__muted' : undefined}>
                {fact.label && <>{fact.label} </>}
                {fact.strong ? <strong>{fact.value}</strong> : fact.value}
                {fact.bar !== undefined && (
                  <span className="details__bar">
                    <span style={{ width: `${Math.round(Math.max(0, Math.min(1, fact.bar)) * 100)}%` }} />
                  </span>
                )}
              </span>
            ))}
          </span>
        </li>
      ))}
    </ol>
  );
}

/** Every feature's section of one result. */
export function ResultDetails({ sections }: { sections: readonly DetailSection[] }) {
  return (
    <>
      {sections.map((s) => (
        <Section key={s.title} section={s} />
      ))}
    </>
  );
}
