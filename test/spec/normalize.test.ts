import { normalizeImage, parseMemory } from '../../src/spec/container';

describe('normalizeImage', () => {
  it.each([
    ['nginx', 'nginx:latest'],
    ['nginx:1.27-alpine', 'nginx:1.27-alpine'],
    ['library/nginx', 'library/nginx:latest'],
    ['127.0.0.1:5000/x', '127.0.0.1:5000/x:latest'],
    ['127.0.0.1:5000/x:1.0', '127.0.0.1:5000/x:1.0'],
    ['registry.example.com/team/app', 'registry.example.com/team/app:latest'],
    ['localhost:5000/app', 'localhost:5000/app:latest'],
    ['app@sha256:' + 'a'.repeat(64), 'app@sha256:' + 'a'.repeat(64)],
    ['app:1@sha256:' + 'a'.repeat(64), 'app:1@sha256:' + 'a'.repeat(64)],
  ])('adds :latest only when %s has neither tag nor digest', (image, expected) => {
    expect(normalizeImage(image)).toBe(expected);
  });
});

describe('parseMemory', () => {
  it.each([
    ['256k', 256 * 1024],
    ['512m', 512 * 1024 ** 2],
    ['512M', 512 * 1024 ** 2],
    ['512MB', 512 * 1024 ** 2],
    ['512 mib', 512 * 1024 ** 2],
    ['1g', 1024 ** 3],
    ['1.5g', 1.5 * 1024 ** 3],
    ['1t', 1024 ** 4],
    ['1048576', 1048576],
    ['100b', 100],
  ])('reads %s as Docker does, 1024-based', (text, bytes) => {
    expect(parseMemory(text)).toBe(bytes);
  });

  it('takes a number as bytes', () => {
    expect(parseMemory(536870912)).toBe(536870912);
  });
});
