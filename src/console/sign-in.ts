/** Where a sign-in link points: the console's sign-in page with the one-time code. */
import type { Config } from '../config.ts';

export function publicUrl(config: Pick<Config, 'PUBLIC_URL' | 'HOST' | 'PORT'>): string {
  return (config.PUBLIC_URL ?? `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${config.PORT}`)
    .replace(/\/+$/, '');
}

/** The code goes in the query string, which the service never logs. */
export function signInUrl(config: Pick<Config, 'PUBLIC_URL' | 'HOST' | 'PORT'>, token: string): string {
  return signInUrlAt(publicUrl(config), token);
}

/** The same, at a base address already known (the console's, for a link an admin makes). */
export const signInUrlAt = (base: string, token: string): string => `${base}/inloggen?code=${encodeURIComponent(token)}`;
