/** Stack documents for spec tests; compose files are written as lists of lines. */
import { yaml } from '../spec/helpers';

/** A Stack document; specLines are indented under `spec:`. */
export function stack(name: string, ...specLines: string[]): string {
  return yaml(
    'apiVersion: berth/v1',
    'kind: Stack',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    ...specLines.map((l) => '  ' + l),
  );
}

/** A compose file: two services, a named volume, a healthcheck and a depends_on. */
export const COMPOSE = yaml(
  'services:',
  '  app:',
  '    image: berth-busybox:latest',
  '    command: sleep 3600',
  '    depends_on:',
  '      db: { condition: service_healthy }',
  '  db:',
  '    image: berth-busybox:latest',
  '    command: ["sleep", "3600"]',
  '    volumes: ["data:/data"]',
  '    healthcheck: { test: "true", interval: 1s }',
  'volumes:',
  '  data: {}',
);
