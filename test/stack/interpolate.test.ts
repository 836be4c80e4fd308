import { interpolate } from '../../src/stack/interpolate';

const HINT = 'write $$ for a literal $';
const notSet = (name: string) =>
  `variable ${name} is not set and has no default; set it in spec.variables`;

/** The value of one string, expecting no errors. */
function value(text: string, vars: Record<string, string> = {}): unknown {
  const result = interpolate(text, vars);
  expect(result.errors).toEqual([]);
  return result.value;
}

/** The error messages of one string. */
function messages(text: string, vars: Record<string, string> = {}): string[] {
  return interpolate(text, vars).errors.map((e) => e.message);
}

describe('plain references', () => {
  test('$VAR and ${VAR} are replaced by the variable', () => {
    expect(value('app:$TAG', { TAG: '2.51' })).toBe('app:2.51');
    expect(value('app:${TAG}', { TAG: '2.51' })).toBe('app:2.51');
  });

  test('$VAR ends at the first character that cannot be in a name', () => {
    expect(value('$A.$B_1-x', { A: 'a', B_1: 'b' })).toBe('a.b-x');
  });

  test('a variable set to the empty string is empty, not an error', () => {
    expect(value('[${TAG}]', { TAG: '' })).toBe('[]');
  });

  test('an unset variable without a default is an error naming it', () => {
    expect(messages('app:${TAG}')).toEqual([notSet('TAG')]);
    expect(messages('app:$TAG')).toEqual([notSet('TAG')]);
  });

  test('names like constructor are not taken from the object prototype', () => {
    expect(messages('$constructor')).toEqual([notSet('constructor')]);
  });

  test('several references in one string are all replaced', () => {
    const vars = { HOST: 'db', PORT: '5432', NAME: 'app' };
    expect(value('postgres://$HOST:${PORT}/${NAME:-x}?a=$$1', vars)).toBe(
      'postgres://db:5432/app?a=$1',
    );
  });

  test('a string without references is unchanged', () => {
    expect(value('nginx -g "daemon off;" {x} }')).toBe('nginx -g "daemon off;" {x} }');
  });
});

describe('dollar escapes', () => {
  test('$$ is a literal $', () => {
    expect(value('cost: $$5 and $$')).toBe('cost: $5 and $');
  });

  test('$$VAR is the literal text $VAR', () => {
    expect(value('$$TAG ${TAG}', { TAG: '1' })).toBe('$TAG 1');
  });

  test('$$$VAR is a literal $ followed by the variable', () => {
    expect(value('$$$TAG', { TAG: '1' })).toBe('$1');
  });
});

describe('${VAR:-default}', () => {
  test('set and non-empty: the value', () => {
    expect(value('${TAG:-latest}', { TAG: '2' })).toBe('2');
  });

  test('unset: the default', () => {
    expect(value('${TAG:-latest}')).toBe('latest');
  });

  test('empty: the default', () => {
    expect(value('${TAG:-latest}', { TAG: '' })).toBe('latest');
  });

  test('an empty default is allowed', () => {
    expect(value('[${TAG:-}]')).toBe('[]');
  });
});

describe('${VAR-default}', () => {
  test('set: the value', () => {
    expect(value('${TAG-latest}', { TAG: '2' })).toBe('2');
  });

  test('unset: the default', () => {
    expect(value('${TAG-latest}')).toBe('latest');
  });

  test('empty: stays empty', () => {
    expect(value('[${TAG-latest}]', { TAG: '' })).toBe('[]');
  });
});

describe('${VAR:?message} and ${VAR?message}', () => {
  test(':? with a non-empty value: the value', () => {
    expect(value('${TAG:?pick a tag}', { TAG: '2' })).toBe('2');
  });

  test(':? unset: an error with the user message', () => {
    expect(messages('${TAG:?pick a tag}')).toEqual(['variable TAG is not set: pick a tag']);
  });

  test(':? empty: an error with the user message', () => {
    expect(messages('${TAG:?pick a tag}', { TAG: '' })).toEqual([
      'variable TAG is empty: pick a tag',
    ]);
  });

  test('? set, even empty: the value', () => {
    expect(value('${TAG?pick a tag}', { TAG: '2' })).toBe('2');
    expect(value('[${TAG?pick a tag}]', { TAG: '' })).toBe('[]');
  });

  test('? unset: an error with the user message', () => {
    expect(messages('${TAG?pick a tag}')).toEqual(['variable TAG is not set: pick a tag']);
  });

  test('without a message: says what to do', () => {
    expect(messages('${TAG:?}')).toEqual(['variable TAG is not set; set it in spec.variables']);
    expect(messages('${TAG?}')).toEqual(['variable TAG is not set; set it in spec.variables']);
  });

  test('the message may itself refer to variables', () => {
    expect(messages('${TAG:?tag for $APP}', { APP: 'web' })).toEqual([
      'variable TAG is not set: tag for web',
    ]);
  });
});

describe('${VAR:+replacement} and ${VAR+replacement}', () => {
  test(':+ set and non-empty: the replacement', () => {
    expect(value('${DEBUG:+--verbose}', { DEBUG: '1' })).toBe('--verbose');
  });

  test(':+ unset or empty: empty, not an error', () => {
    expect(value('[${DEBUG:+--verbose}]')).toBe('[]');
    expect(value('[${DEBUG:+--verbose}]', { DEBUG: '' })).toBe('[]');
  });

  test('+ set, even empty: the replacement', () => {
    expect(value('${DEBUG+--verbose}', { DEBUG: '1' })).toBe('--verbose');
    expect(value('${DEBUG+--verbose}', { DEBUG: '' })).toBe('--verbose');
  });

  test('+ unset: empty, not an error', () => {
    expect(value('[${DEBUG+--verbose}]')).toBe('[]');
  });
});

describe('nested defaults', () => {
  test('a default may refer to another variable', () => {
    expect(value('${TAG:-${DEFAULT_TAG}}', { DEFAULT_TAG: '1.0' })).toBe('1.0');
    expect(value('${TAG:-$DEFAULT_TAG}', { DEFAULT_TAG: '1.0' })).toBe('1.0');
  });

  test('defaults nest several levels deep', () => {
    expect(value('${A:-${B:-${C:-c}}}-x')).toBe('c-x');
    expect(value('${A:-${B:-${C:-c}}}-x', { B: 'b' })).toBe('b-x');
  });

  test('an unused default is not evaluated, so its unset variables are no error', () => {
    expect(value('${TAG:-${MISSING}}', { TAG: '2' })).toBe('2');
    expect(value('${TAG:+x}${TAG:+$MISSING}')).toBe('');
  });

  test('a used default with an unset variable is an error naming that variable', () => {
    expect(messages('${TAG:-${MISSING}}')).toEqual([notSet('MISSING')]);
  });

  test('a default may hold literal text, braces and $$', () => {
    expect(value('${A:-x {y} $$z}')).toBe('x {y} $z');
  });
});

describe('invalid forms', () => {
  test.each([
    ['${', 'invalid "${": a variable name must follow ${'],
    ['${}', 'invalid "${}": a variable name must follow ${'],
    ['a${VAR', 'invalid "${VAR": no closing }'],
    ['${VAR:-x', 'invalid "${VAR:-x": no closing }'],
    ['${1X}', 'invalid "${1X}": "1X" is not a variable name: it starts with a digit'],
    ['${A.B}', 'invalid "${A.B}": expected } or one of :- :? :+ - ? + after the name A'],
    ['${-x}', 'invalid "${-x}": a variable name must follow ${'],
    ['a $ b', 'invalid "$ ": $ must be followed by a variable name or {'],
    ['$-x', 'invalid "$-": $ must be followed by a variable name or {'],
    ['$1', 'invalid "$1": $ must be followed by a variable name or {'],
    ['5$', 'invalid "$" at the end: $ must be followed by a variable name or {'],
  ])('%s is an error that suggests $$', (text, message) => {
    expect(messages(text, { VAR: 'v', A: 'a' })).toEqual([`${message}; ${HINT}`]);
  });

  test('an unclosed reference inside a default is reported once, where it starts', () => {
    expect(messages('${A:-${B')).toEqual([`invalid "\${B": no closing }; ${HINT}`]);
    expect(messages('${A:-${1')).toEqual([
      `invalid "\${1": "1" is not a variable name: it starts with a digit; ${HINT}`,
    ]);
  });

  test('a lone $ in a default is reported and the default still closes', () => {
    expect(messages('${A:-$}')).toEqual([
      `invalid "$}": $ must be followed by a variable name or {; ${HINT}`,
    ]);
  });

  test('a string with an invalid form keeps its text as written', () => {
    expect(interpolate('${TAG} $ ', { TAG: '1' }).value).toBe('${TAG} $ ');
  });

  test('every invalid form and unset variable in one string is reported', () => {
    expect(messages('${1X} $- $TAG')).toEqual([
      `invalid "\${1X}": "1X" is not a variable name: it starts with a digit; ${HINT}`,
      `invalid "$-": $ must be followed by a variable name or {; ${HINT}`,
      notSet('TAG'),
    ]);
  });

  test('the same unset variable twice in one string is reported once', () => {
    expect(messages('$TAG:$TAG')).toEqual([notSet('TAG')]);
  });
});

describe('documents', () => {
  const compose = {
    services: {
      web: {
        image: 'nginx:${TAG}',
        environment: ['A=1', 'B=${B}', 'C=$$C'],
        ports: [8080, '${PORT:-80}:80'],
        read_only: true,
        healthcheck: null,
        labels: { '${KEY}': '$VALUE', 'com.example.v': '${V}' },
      },
    },
  };

  test('strings at every depth are replaced; keys and other scalars are untouched', () => {
    const vars = { TAG: '1.27', B: 'b', KEY: 'k', VALUE: 'v', V: '2' };
    expect(interpolate(compose, vars)).toEqual({
      errors: [],
      value: {
        services: {
          web: {
            image: 'nginx:1.27',
            environment: ['A=1', 'B=b', 'C=$C'],
            ports: [8080, '80:80'],
            read_only: true,
            healthcheck: null,
            labels: { '${KEY}': 'v', 'com.example.v': '2' },
          },
        },
      },
    });
  });

  test('every error is collected with the field path of its string', () => {
    expect(interpolate(compose, { KEY: 'k' }).errors).toEqual([
      { path: 'services.web.image', message: notSet('TAG') },
      { path: 'services.web.environment[1]', message: notSet('B') },
      { path: 'services.web.labels["${KEY}"]', message: notSet('VALUE') },
      { path: 'services.web.labels["com.example.v"]', message: notSet('V') },
    ]);
  });

  test('paths start at the given path', () => {
    expect(interpolate({ image: '$TAG' }, {}, 'spec.compose').errors).toEqual([
      { path: 'spec.compose.image', message: notSet('TAG') },
    ]);
  });

  test('the input is not changed', () => {
    const input = { image: '${TAG}', list: ['$TAG'] };
    interpolate(input, { TAG: '1' });
    expect(input).toEqual({ image: '${TAG}', list: ['$TAG'] });
  });

  test('numbers, booleans and null pass through as they are', () => {
    expect(interpolate([1, 2.5, false, null], {})).toEqual({
      value: [1, 2.5, false, null],
      errors: [],
    });
  });

  test('values never come from process.env', () => {
    process.env.BERTH_INTERPOLATE_TEST = 'from-env';
    try {
      expect(messages('$BERTH_INTERPOLATE_TEST')).toEqual([notSet('BERTH_INTERPOLATE_TEST')]);
    } finally {
      delete process.env.BERTH_INTERPOLATE_TEST;
    }
  });
});
