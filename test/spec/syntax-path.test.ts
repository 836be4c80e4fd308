import { syntaxPath } from '../../src/spec/syntax-path';

const doc = [
  'apiVersion: berth/v1', // 1
  'kind: Application', // 2
  'metadata:', // 3
  '  name: web', // 4
  'spec:', // 5
  '  image: [oops', // 6
  '\tcommand: [x]', // 7
  '  ports:', // 8
  '    - "80:80"', // 9
  '    - "81:81', // 10
  '  healthcheck:', // 11
  '    test: x', // 12
].join('\n');

describe('the field of a YAML syntax error', () => {
  test.each([
    [1, 'apiVersion'],
    [4, 'metadata.name'],
    [6, 'spec.image'],
    [7, 'spec.command'],
    [9, 'spec.ports[0]'],
    [10, 'spec.ports[1]'],
    [12, 'spec.healthcheck.test'],
  ])('line %i is %s', (line, path) => {
    expect(syntaxPath(doc, line)).toBe(path);
  });

  test('a list of maps counts its items', () => {
    const text = ['items:', '  - name: a', '    x: 1', '  - name: b', '    y: [2'].join('\n');
    expect(syntaxPath(text, 5)).toBe('items[1].y');
    expect(syntaxPath(text, 4)).toBe('items[1].name');
  });

  test('a blank or comment line names its enclosing key', () => {
    expect(syntaxPath('spec:\n  a: 1\n\n', 3)).toBe('');
    expect(syntaxPath('spec:\n  a: 1\n  # x', 3)).toBe('spec');
  });
});
