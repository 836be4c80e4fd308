import { app, destination, load } from './helpers';

async function loadWeb(specLines: string[]) {
  const result = await load({ 'web.yaml': destination('prod') + '---\n' + app('web', specLines) });
  return { result, web: result.desired.containers[0] };
}

describe('literal text of scalars', () => {
  it('passes env values to the container exactly as written', async () => {
    const { result, web } = await loadWeb([
      'image: nginx',
      'env:',
      '  MODE: 0755',
      '  COUNT: 1e3',
      '  ACCEPT_EULA: Y',
      '  ENABLED: yes',
      '  DEBUG: off',
      '  NO: no',
      '  TRUE: true',
      '  HEX: 0x1F',
      '  OCT: 0o17',
      '  FLOAT: 1.50',
      '  INF: .inf',
      '  TILDE: ~',
      '  EMPTY:',
      '  QUOTED: "0755"',
      '  DOLLAR: $HOME ${X}',
      '  TIME: 2122:22',
    ]);

    expect(result.messages).toEqual([]);
    expect(web.config.env).toEqual({
      ACCEPT_EULA: 'Y',
      COUNT: '1e3',
      DEBUG: 'off',
      DOLLAR: '$HOME ${X}',
      EMPTY: '',
      ENABLED: 'yes',
      FLOAT: '1.50',
      HEX: '0x1F',
      INF: '.inf',
      MODE: '0755',
      NO: 'no',
      OCT: '0o17',
      QUOTED: '0755',
      TILDE: '',
      TIME: '2122:22',
      TRUE: 'true',
    });
  });

  it('reads unquoted ports like 2122:22 as text (YAML 1.2 has no base-60 numbers)', async () => {
    const { result, web } = await loadWeb(['image: nginx', 'ports: [2122:22, 80, 53/udp]']);

    expect(result.messages).toEqual([]);
    expect(web.config.ports).toEqual([
      { hostIp: '', hostPort: '2122', containerPort: '22', protocol: 'tcp' },
      { hostIp: '', hostPort: '', containerPort: '53', protocol: 'udp' },
      { hostIp: '', hostPort: '', containerPort: '80', protocol: 'tcp' },
    ]);
  });

  it('takes numbers as their text in other string fields', async () => {
    const { result, web } = await loadWeb([
      'image: nginx',
      'user: 1000',
      'command: [sleep, 0010, 1e3]',
      'labels: { version: 1.10, enabled: true }',
      'displayName: 2024',
    ]);

    expect(result.messages).toEqual([]);
    expect(web.config.user).toBe('1000');
    expect(web.config.command).toEqual(['sleep', '0010', '1e3']);
    expect(web.config.labels).toEqual({ enabled: 'true', version: '1.10' });
    expect(web.displayName).toBe('2024');
  });

  it('keeps booleans and integers typed where the schema wants them', async () => {
    const result = await load({
      'web.yaml': [
        destination('prod', 'internal: yes'),
        app('web', [
          'image: nginx',
          'suspend: "true"',
          'healthcheck: { test: [NONE], retries: 3.5 }',
        ]),
      ].join('---\n'),
    });

    expect(result.messages).toEqual([
      'specs/web.yaml:6 spec.internal: must be true or false',
      "specs/web.yaml:12 spec.destination: destination 'prod' has errors (specs/web.yaml:1): " +
        'fix them first',
      'specs/web.yaml:14 spec.suspend: must be true or false',
      'specs/web.yaml:15 spec.healthcheck.retries: must be a whole number',
    ]);
  });
});
