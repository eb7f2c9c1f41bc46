/**
 * E-mail (DESIGN §6.3): the SMTP transport (nodemailer) from SMTP_URL and MAIL_FROM, and the
 * Dutch texts of every mail passend sends. A mail holds the case's number (the first eight
 * characters of its id, as the console's lists show a case) and a link into the console, nothing
 * else of the file: never the question, names, the referrer's reference or any other content. A
 * sign-in mail holds the sign-in link, for the person it is sent to only.
 */
import nodemailer from 'nodemailer';
import type { NoticeKind } from './notices.ts';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The overleg's invitation carries its calendar entry (nothing of the file: overleg-ics.ts). */
  attachments?: { filename: string; content: string; contentType: string }[];
}

/** Sends one mail; throws a MailError when the server refuses it or cannot be reached. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

/** Why a mail was not sent, as the failure list shows it: a code, never the server's text. */
export class MailError extends Error {
  constructor(readonly reason: string) { super(`mail not sent: ${reason}`); }
}

const TIMEOUT_MS = 10_000;

/** The mailer SMTP_URL names (`smtp://user:pass@host:port`, or `smtps://`), or null without one. */
export function mailerOf(config: { SMTP_URL?: string; MAIL_FROM?: string }): Mailer | null {
  if (!config.SMTP_URL) return null;
  // Timeouts of their own: a hanging server must not hold a delivery round for minutes.
  const transport = nodemailer.createTransport({
    url: config.SMTP_URL, connectionTimeout: TIMEOUT_MS, greetingTimeout: TIMEOUT_MS, socketTimeout: TIMEOUT_MS,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    async send(message) {
      try {
        await transport.sendMail({ from: config.MAIL_FROM, ...message });
      } catch (error) {
        // Only the kind of failure: the server's text could quote the address.
        const e = error as { responseCode?: number; code?: string; name?: string };
        throw new MailError(e.responseCode ? `SMTP ${e.responseCode}` : e.code ?? e.name ?? 'Error');
      }
    },
    close: () => transport.close(),
  };
}

/** The number a mail names a case by: what the console's lists show for it. */
export const caseNumber = (caseId: string): string => caseId.slice(0, 8);

export const caseLink = (base: string, caseId: string): string => `${base}/casussen/${caseId}`;

const escHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** What a notice says, in one line, of a case number. */
export const NOTICE_LINES: Record<NoticeKind, { subject: string; line: string }> = {
  question_waiting: {
    subject: 'Er ligt een vraag voor uw organisatie', line: 'Er ligt een vraag van het expertteam voor uw organisatie',
  },
  commitment_due: { subject: 'Een afspraak van uw organisatie is verlopen', line: 'De termijn van een afspraak van uw organisatie is verstreken' },
  assigned: { subject: 'U bent regisseur van een casus', line: 'U bent regisseur geworden' },
  case_deadline_passed: { subject: 'Een termijn van uw casus is verstreken', line: 'Een termijn is verstreken' },
  overleg_planned: {
    subject: 'Uitnodiging: overleg over een casus',
    line: 'Er is een overleg gepland (staat het nog gepland, dan zit het bij deze e-mail voor uw agenda)',
  },
};

const FOOTER = [
  'Wat er in het dossier staat, staat nooit in een e-mail van passend: u leest het in passend, na het inloggen.',
  'Liever één overzicht per dag, of geen e-mail? Vraag het de beheerder van passend in uw regio.',
];

interface MailLink { text: string; href: string }

function compose(to: string, subject: string, paragraphs: readonly string[], links: readonly MailLink[]): MailMessage {
  const text = [...paragraphs.slice(0, 1), ...links.map((l) => `${l.text}:\n${l.href}`), ...paragraphs.slice(1)].join('\n\n');
  const html = `<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>${escHtml(subject)}</title></head><body>
${paragraphs.slice(0, 1).map((p) => `<p>${escHtml(p)}</p>`).join('\n')}
${links.length > 0 ? `<ul>${links.map((l) => `<li><a href="${escHtml(l.href)}">${escHtml(l.text)}</a></li>`).join('')}</ul>` : ''}
${paragraphs.slice(1).map((p) => `<p>${escHtml(p)}</p>`).join('\n')}
</body></html>`;
  return { to, subject, text: `${text}\n`, html };
}

/** One notice, sent at once. */
export function noticeMail(to: string, kind: NoticeKind, caseId: string, base: string): MailMessage {
  const { subject, line } = NOTICE_LINES[kind];
  const number = caseNumber(caseId);
  return compose(to, `passend: ${subject} (casus ${number})`,
    [`Goedendag,\n\n${line} bij casus ${number}.`, ...FOOTER],
    [{ text: `Casus ${number} in passend`, href: caseLink(base, caseId) }]);
}

/** The day's notices of one person, in one mail. */
export function digestMail(to: string, notices: readonly { kind: NoticeKind; caseId: string }[], base: string): MailMessage {
  const seen = new Set<string>();
  const unique = notices.filter((n) => !seen.has(`${n.kind}:${n.caseId}`) && seen.add(`${n.kind}:${n.caseId}`));
  const count = unique.length;
  return compose(to, `passend: uw overzicht van vandaag (${count} bericht${count === 1 ? '' : 'en'})`,
    [`Goedendag,\n\nSinds het vorige overzicht ${count === 1 ? 'is er 1 bericht' : `zijn er ${count} berichten`} voor u in passend:`, ...FOOTER],
    unique.map((n) => ({ text: `${NOTICE_LINES[n.kind].line} bij casus ${caseNumber(n.caseId)}`, href: caseLink(base, n.caseId) })));
}

/** A new sign-in link, to the person it is for. */
export function signInMail(to: string, url: string, minutes: number): MailMessage {
  return compose(to, 'passend: uw inloglink',
    [`Goedendag,\n\nU kunt inloggen in passend met deze eenmalige link. Hij werkt ${minutes} minuten en één keer.`,
      'Vroeg u geen inloglink aan en verwacht u er geen? Dan kunt u deze e-mail negeren; meld het wel aan de beheerder van passend in uw regio.'],
    [{ text: 'Inloggen in passend', href: url }]);
}
