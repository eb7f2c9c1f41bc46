import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateOpenApi, OPENAPI_FILE } from '../scripts/export-openapi.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

interface SpectralResult {
  code: string;
  severity: number;
  path: string[];
  message: string;
}

describe('openapi/openapi.json', () => {
  it('is what the app generates now (run `npm run openapi` when this fails)', async () => {
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(await generateOpenApi());
  });

  it('passes the NL GOV API Design Rules with only the documented problem-members deviation', () => {
    const run = spawnSync(
      `${root}node_modules/.bin/spectral`,
      ['lint', '--quiet', '-f', 'json', '-r', 'openapi/ruleset.yml', 'openapi/openapi.json'],
      { cwd: root, encoding: 'utf8' },
    );
    const results = JSON.parse(run.stdout) as SpectralResult[];
    const errors = results.filter((r) => r.severity === 0);
    // The one deliberate deviation (docs/design.md §3, docs/api.md): problem bodies carry extension members.
    expect(errors.map((e) => [e.code, e.path.join('.')])).toEqual([
      ['nlgov:problem-schema-members', 'components.schemas.Problem.properties'],
    ]);
    expect(errors[0]?.message).toMatch(/Property "code" is not expected/);
  });

  it('declares the API-Version header on every success response and problem+json on every error', () => {
    const doc = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'));
    const responses = Object.values<Record<string, { responses: Record<string, any> }>>(doc.paths)
      .flatMap((item) => Object.values(item))
      .flatMap((op) => Object.entries(op.responses));
    expect(responses.length).toBeGreaterThan(10);
    for (const [status, response] of responses) {
      if (/^[23]/.test(status)) expect(response.headers?.['API-Version']).toBeDefined();
      else expect(Object.keys(response.content)).toEqual(['application/problem+json']);
    }
    expect(doc.servers).toEqual([{ url: '/api/v1' }]);
    const op = (path: string, method: string) => doc.paths[path][method];
    expect(op('/cases', 'post').responses['201'].headers).toMatchObject({
      ETag: { $ref: '#/components/headers/ETag' }, Location: { $ref: '#/components/headers/Location' } });
    expect(op('/cases/{id}/events', 'post').parameters).toEqual(expect.arrayContaining([
      { $ref: '#/components/parameters/IfMatch' }, { $ref: '#/components/parameters/XPurpose' }]));
    expect(doc.components.parameters.XPurpose).toMatchObject({ name: 'X-Purpose', in: 'header' });
    expect(doc.info.contact).toMatchObject({ name: expect.any(String), email: expect.any(String), url: expect.any(String) });
  });
});
