import fs from 'node:fs';
import path from 'node:path';
import { ERROR_CODES } from '../src/errors';

test('every error code is documented in docs/errors.md, and no other', () => {
  const doc = fs.readFileSync(path.join(__dirname, '..', 'docs', 'errors.md'), 'utf8');
  const documented = [...doc.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]).sort();
  expect(documented).toEqual([...ERROR_CODES].sort());
});
