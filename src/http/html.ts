/**
 * What the server-rendered pages (trail, signalering) share: escaping, and the content security
 * policy of a self-contained page.
 */
import { createHash } from 'node:crypto';

/** Escaping for the server-rendered pages: every text from data goes through it. */
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/**
 * The policy of a page that carries its own style and nothing else: no script at all, no load from
 * anywhere, no framing, no form target. Its one <style> element is allowed by its hash, not by
 * 'unsafe-inline'; images only as data: URLs (the report's charts).
 */
export function pagePolicy(style: string): string {
  const hash = createHash('sha256').update(style).digest('base64');
  return `default-src 'none'; style-src 'sha256-${hash}'; img-src data:; base-uri 'none'; form-action 'none'; ` +
    "frame-ancestors 'none'";
}
