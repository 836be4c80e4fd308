import { parseEnvFile } from '../../src/stack/env-file';
import { shellWords } from '../../src/stack/shell-words';
import { parseSpecText } from '../../src/spec/yaml-tree';

describe('command lines in string form', () => {
  test('split at blanks, quotes kept together, escapes honoured', () => {
    expect(shellWords('nginx -g "daemon off;"')).toEqual(['nginx', '-g', 'daemon off;']);
    expect(shellWords(`sh -c 'echo "$HOME"; ls'`)).toEqual(['sh', '-c', 'echo "$HOME"; ls']);
    expect(shellWords('a\\ b "c\\"d" e""f')).toEqual(['a b', 'c"d', 'ef']);
    expect(shellWords('  ')).toEqual([]);
  });

  test('an open quote is an error', () => {
    expect(shellWords("echo 'x")).toEqual({ error: "no closing ' in: echo 'x" });
  });
});

describe('env files', () => {
  test('NAME=value lines, comments, quotes; values stay as written', () => {
    const text = '# top\n\nA=1\nexport B = two words # note\nC="x\\ny"\nD=\'$HOME\'\nE=0755\n';
    expect(parseEnvFile(text, {})).toEqual({
      vars: { A: '1', B: 'two words', C: 'x\ny', D: '$HOME', E: '0755' },
      problems: [],
    });
  });

  test('a name without a value and a broken line are reported with their line', () => {
    expect(parseEnvFile('A=1\nTOKEN\n=x\nQ="open\n', {}).problems).toEqual([
      {
        line: 2,
        message:
          "'TOKEN' has no value: berth takes no values from its own environment; write TOKEN=value",
      },
      { line: 3, message: 'line 3 is not NAME=value' },
      { line: 4, message: 'the value of Q has no closing quote' },
    ]);
  });
});

describe('env file interpolation', () => {
  test('unquoted and double-quoted values are interpolated, single-quoted stay literal', () => {
    const text = 'A=${P}\nB="x-${P:-d}-$$"\nC=\'${P}\'\nD=${Q:-fallback}\n';
    expect(parseEnvFile(text, { P: 'pv' })).toEqual({
      vars: { A: 'pv', B: 'x-pv-$', C: '${P}', D: 'fallback' },
      problems: [],
    });
  });

  test('an undefined variable without default is an error on its line', () => {
    expect(parseEnvFile('A=1\nB=${NOPE}\n', {}).problems).toEqual([
      {
        line: 2,
        message: 'variable NOPE is not set and has no default; set it in spec.variables',
        variable: true,
      },
    ]);
  });
});

describe('YAML merge keys', () => {
  test('taken inside an inline compose document, explicit keys winning', () => {
    const text = [
      'spec:',
      '  compose:',
      '    x-a: &a { image: one, restart: always }',
      '    x-b: &b { image: two, user: "1" }',
      '    services:',
      '      s: { <<: [*a, *b], restart: "no" }',
      '',
    ].join('\n');
    const [doc] = parseSpecText('f.yaml', text).docs;
    expect(doc.errors).toEqual([]);
    const services = JSON.stringify(doc.root);
    expect(services).toContain('"key":"restart","keyLine":6');
    expect(services).toMatch(/"key":"image","keyLine":3,"value":\{"kind":"scalar","value":"one"/);
  });

  test('refused in berth documents', () => {
    const text = 'x: &x { a: 1 }\nspec:\n  <<: *x\n';
    const [doc] = parseSpecText('f.yaml', text).docs;
    expect(doc.errors.map((e) => e.message)).toEqual([
      'f.yaml:3 spec["<<"]: YAML merge keys (<<) are not supported: write the fields out',
    ]);
  });
});
