/**
 * @file Text from outside (a registry's manifest, a model file, an HTTP header) on its way into
 * a message a person reads: refusal reasons, the update log, the Models panel. Every place that
 * quotes such text goes through {@link untrustedText}, which cuts it to a few dozen characters
 * and removes control and invisible formatting characters, so a hostile manifest can neither
 * turn a 2 MB field name into a 2 MB reason (stored, broadcast to every tab, logged) nor break
 * a log line or reverse the text around it with a right-to-left override.
 */

/** How many characters of untrusted text a message quotes. */
export const QUOTE_CHARS = 64;

/** Line breaks and tabs: shown as a space. */
const BREAKS = /[\t\n\r\u2028\u2029]/g;

/**
 * Never shown: C0 and C1 controls and DEL, the soft hyphen, bidirectional marks, embeddings,
 * overrides and isolates (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069), zero-width and other
 * invisible format characters, the BOM, interlinear annotation marks, and lone surrogates.
 */
const HIDDEN =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * `text` safe to quote in a message: line breaks as spaces, hidden characters removed, at most
 * `max` characters (code points, so no emoji is cut in half), "…" marking a cut. Costs the same
 * for a 2 MB string as for a short one: only a bounded prefix is looked at.
 */
export function untrustedText(text: string, max = QUOTE_CHARS): string {
  // Up to 8 hidden characters per shown one are skipped before the text counts as cut.
  const window = max * 8 + 2;
  const head = text.length > window ? text.slice(0, window) : text;
  const clean = head.replace(BREAKS, ' ').replace(HIDDEN, '');
  const chars = Array.from(clean);
  if (chars.length <= max && head.length === text.length) return clean;
  return `${chars.slice(0, max).join('')}…`;
}
