/**
 * The console's static files, read once: the style sheets (the NL Design System's Utrecht
 * components and tokens, and ours) and the icon. Pages link each at a URL with a hash of its
 * content (`/assets/utrecht.3fa94c1d0b2e.css`), served `immutable` for a year: a changed file has
 * a new URL, so no browser keeps an old one. The plain names still answer, cached for an hour, for
 * pages rendered before a deploy. `/favicon.ico`, where browsers look unasked, is an ICO drawn
 * here from the same picture as the SVG icon.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface Asset {
  body: string | Buffer;
  type: string;
  /** Where pages link it: the name with its content hash. */
  href: string;
}

const require = createRequire(import.meta.url);
const packaged = (specifier: string): string => readFileSync(require.resolve(specifier), 'utf8');

/** A 'p' on an 8×8 grid, white on the tile; the SVG and the ICO are both drawn from it. */
const GLYPH = [
  '........',
  '.####...',
  '.#...#..',
  '.#...#..',
  '.####...',
  '.#......',
  '.#......',
  '........',
];
const TILE = [0x15, 0x42, 0x73] as const;

function iconSvg(): string {
  const cells = GLYPH.flatMap((row, y) => [...row].flatMap((c, x) => (c === '#' ? [`M${x} ${y}h1v1h-1z`] : [])));
  return '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><rect width="8" height="8" rx="1" fill="#154273"/>'
    + `<path fill="#fff" d="${cells.join('')}"/></svg>\n`;
}

/** A 32×32 ICO with one 32-bit bitmap: the glyph, each cell 4×4 pixels. */
export function iconIco(): Buffer {
  const size = 32;
  const pixels = Buffer.alloc(size * size * 4);
  for (let row = 0; row < size; row++) {
    // Bitmaps are stored bottom-up.
    const y = Math.floor((size - 1 - row) / 4);
    for (let col = 0; col < size; col++) {
      const white = GLYPH[y]![Math.floor(col / 4)] === '#';
      const [r, g, b] = white ? [255, 255, 255] : TILE;
      pixels.set([b, g, r, 255], (row * size + col) * 4);
    }
  }
  const mask = Buffer.alloc((size / 8) * size);
  const info = Buffer.alloc(40);
  info.writeUInt32LE(40, 0);
  info.writeInt32LE(size, 4);
  info.writeInt32LE(size * 2, 8); // the colours and the mask, one above the other
  info.writeUInt16LE(1, 12);
  info.writeUInt16LE(32, 14);
  info.writeUInt32LE(pixels.length + mask.length, 20);
  const image = Buffer.concat([info, pixels, mask]);
  const header = Buffer.alloc(22);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // an icon
  header.writeUInt16LE(1, 4); // one image
  header.writeUInt8(size, 6);
  header.writeUInt8(size, 7);
  header.writeUInt16LE(1, 10);
  header.writeUInt16LE(32, 12);
  header.writeUInt32LE(image.length, 14);
  header.writeUInt32LE(22, 18);
  return Buffer.concat([header, image]);
}

function asset(name: string, body: string | Buffer, type: string): [string, Asset] {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  const dot = name.lastIndexOf('.');
  return [name, { body, type, href: `/assets/${name.slice(0, dot)}.${hash}${name.slice(dot)}` }];
}

const CSS = 'text/css; charset=utf-8';

/** By plain name. */
export const ASSETS: ReadonlyMap<string, Asset> = new Map([
  asset('design-tokens.css', packaged('@utrecht/design-tokens/dist/index.css'), CSS),
  asset('utrecht.css', packaged('@utrecht/component-library-css/dist/index.css'), CSS),
  asset('console.css', readFileSync(new URL('./console.css', import.meta.url), 'utf8'), CSS),
  asset('icon.svg', iconSvg(), 'image/svg+xml'),
]);

const BY_HREF = new Map([...ASSETS.values()].map((a) => [a.href.slice('/assets/'.length), a]));

/** The asset a file name under /assets/ names, and whether that name carries its hash. */
export function assetFor(file: string): { asset: Asset; fingerprinted: boolean } | undefined {
  const hashed = BY_HREF.get(file);
  if (hashed) return { asset: hashed, fingerprinted: true };
  const plain = ASSETS.get(file);
  return plain ? { asset: plain, fingerprinted: false } : undefined;
}

/** Where a page links the asset of this plain name. */
export function assetHref(name: string): string {
  const found = ASSETS.get(name);
  if (!found) throw new Error(`no asset ${name}`);
  return found.href;
}

export const IMMUTABLE = 'public, max-age=31536000, immutable';
