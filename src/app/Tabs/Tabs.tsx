/**
 * @file An accessible tab list (WAI-ARIA tabs pattern): arrow keys, Home and End move between
 * tabs, the selected tab is the single Tab stop, and each tab controls its panel.
 */
import { useRef, type KeyboardEvent } from 'react';
import './Tabs.css';

/** One tab. */
export interface TabSpec<K extends string> {
  key: K;
  label: string;
}

/** Props of {@link Tabs}. */
export interface TabsProps<K extends string> {
  label: string;
  tabs: readonly TabSpec<K>[];
  selected: K;
  onSelect(key: K): void;
}

/** The id of a tab's panel, for aria-controls / aria-labelledby. */
export function panelId(key: string): string {
  return `panel-${key}`;
}

/** The id of a tab button. */
export function tabId(key: string): string {
  return `tab-${key}`;
}

/** Renders the tab buttons; panels are rendered by the caller with {@link panelId}. */
export function Tabs<K extends string>({ label, tabs, selected, onSelect }: TabsProps<K>) {
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  const onKeyDown = (e: KeyboardEvent<HTMLButtonElement>) => {
    const i = tabs.findIndex((t) => t.key === selected);
    const moves: Record<string, number> = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 };
    const to = moves[e.key];
    if (to === undefined) return;
    e.preventDefault();
    const next = tabs[(to + tabs.length) % tabs.length]!;
    onSelect(next.key);
    refs.current[next.key]?.focus();
  };
  return (
    <div className="tabs" role="tablist" aria-label={label}>
      {tabs.map((t) => (
        <button
          key={t.key}
          ref={(el) => {
            refs.current[t.key] = el;
          }}
          type="button"
          role="tab"
          id={tabId(t.key)}
          className="tabs__tab"
          aria-selected={t.key === selected}
          aria-controls={panelId(t.key)}
          tabIndex={t.key === selected ? 0 : -1}
          onClick={() => onSelect(t.key)}
          onKeyDown={onKeyDown}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}
