/**
 * A real SMTP server in the test process (smtp-server on 127.0.0.1, a port of its own): every
 * mail it accepts is parsed with mailparser and kept. `refuse` makes it answer every message
 * with a permanent error, as a server that will not take the mail does.
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  /** The whole message as it arrived, headers and all. */
  raw: string;
  /** The attachments, parsed: their names, content types and contents as text. */
  attachments: { filename: string; contentType: string; content: string }[];
}

export class MailServer {
  readonly mails: ReceivedMail[] = [];
  /** Messages refused (while `refuse` was set). */
  refused = 0;
  refuse = false;
  #port = 0;
  readonly #server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (this.refuse) {
          this.refused += 1;
          callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        void simpleParser(raw).then((parsed: ParsedMail) => {
          this.mails.push({
            to: session.envelope.rcptTo.map((r) => r.address), from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            subject: parsed.subject ?? '', text: parsed.text ?? '', html: typeof parsed.html === 'string' ? parsed.html : '', raw,
            attachments: parsed.attachments.map((a) => ({
              filename: a.filename ?? '', contentType: a.contentType, content: a.content.toString('utf8'),
            })),
          });
          callback();
        }, callback);
      });
    },
  });

  get url(): string { return `smtp://127.0.0.1:${this.#port}`; }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.#port = (this.#server.server.address() as { port: number }).port;
    return this;
  }

  /** The mails to one address. */
  to(address: string): ReceivedMail[] { return this.mails.filter((m) => m.to.includes(address)); }

  close(): Promise<void> { return new Promise((resolve) => this.#server.close(() => resolve())); }
}
