/**
 * @file Fails a spec on any Content Security Policy violation, wherever it happens. Three
 * listeners, because no single one sees every thread:
 * - `report-uri` reports: the servers under test add `report-uri /__csp-report`, and the browser
 *   POSTs a report for violations in the page, in dedicated workers and in the service worker
 *   (Playwright shows those POSTs as context requests, with their body — no collector needed);
 * - console messages that quote a Content Security Policy ("Refused to …", "Executing inline
 *   script violates …"), which Chromium prints in the page (Playwright does not forward a
 *   worker's, hence the reports);
 * - a `securitypolicyviolation` listener installed in every page before its scripts run.
 */
import type { BrowserContext, ConsoleMessage, Request } from '@playwright/test';
import { contentSecurityPolicy } from '../../tools/lib/csp.ts';

/** The path the e2e servers put in `report-uri`. */
export const CSP_REPORT_PATH = '/__csp-report';

/** The production policy with `registryOrigins` allowed and reports sent to {@link CSP_REPORT_PATH}. */
export function e2eCsp(registryOrigins: readonly string[] = []): string {
  return contentSecurityPolicy({ registryOrigins, reportUri: CSP_REPORT_PATH });
}

/** One violation as one of the listeners saw it. */
export interface CspViolation {
  via: 'report-uri' | 'console' | 'event';
  /** The document, worker or service worker script whose policy was violated. */
  where: string;
  /** Directive and what it blocked, or the console text. */
  detail: string;
}

/** What `report-uri` POSTs (the fields used here). */
interface CspReportBody {
  'csp-report'?: { 'document-uri'?: string; 'effective-directive'?: string; 'blocked-uri'?: string };
}

const EVENT_PREFIX = 'securitypolicyviolation (Content Security Policy):';

/** Collected violations of one browser context. */
export class CspWatch {
  private readonly seen: CspViolation[] = [];

  private constructor(private readonly context: BrowserContext) {}

  /** Starts watching every page, worker and service worker of `context`. */
  static async start(context: BrowserContext): Promise<CspWatch> {
    const watch = new CspWatch(context);
    context.on('request', watch.onRequest);
    context.on('console', watch.onConsole);
    await context.addInitScript((prefix) => {
      type ViolationEvent = { effectiveDirective: string; blockedURI: string; sourceFile: string };
      const g = globalThis as unknown as {
        addEventListener(type: string, listener: (e: ViolationEvent) => void): void;
        location: { href: string };
      };
      g.addEventListener('securitypolicyviolation', (e) =>
        console.error(`${prefix} ${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} in ${g.location.href}`),
      );
    }, EVENT_PREFIX);
    return watch;
  }

  /** Every violation so far. */
  get violations(): readonly CspViolation[] {
    return this.seen;
  }

  /** Throws, listing them, if any violation was seen. */
  check(): void {
    if (this.seen.length === 0) return;
    const lines = this.seen.map((v) => `  [${v.via}] ${v.where}: ${v.detail}`);
    throw new Error(`Content Security Policy violations:\n${lines.join('\n')}`);
  }

  /** Stops listening (page listeners installed by the init script stay until the pages close). */
  stop(): void {
    this.context.off('request', this.onRequest);
    this.context.off('console', this.onConsole);
  }

  private readonly onRequest = (request: Request): void => {
    if (request.method() !== 'POST' || !new URL(request.url()).pathname.endsWith(CSP_REPORT_PATH)) return;
    let report: CspReportBody['csp-report'];
    try {
      report = (JSON.parse(request.postData() ?? '{}') as CspReportBody)['csp-report'];
    } catch {
      report = undefined;
    }
    this.seen.push({
      via: 'report-uri',
      where: report?.['document-uri'] ?? request.url(),
      detail: report
        ? `${report['effective-directive']} blocked ${report['blocked-uri'] || '(inline)'}`
        : `unreadable report: ${request.postData()}`,
    });
  };

  private readonly onConsole = (message: ConsoleMessage): void => {
    const text = message.text();
    if (!text.includes('Content Security Policy')) return;
    const via = text.startsWith(EVENT_PREFIX) ? 'event' : 'console';
    this.seen.push({ via, where: message.location().url || message.page()?.url() || '?', detail: text });
  };
}
