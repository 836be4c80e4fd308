/**
 * The Docker create request for a desired container: its normalized config, berth's labels
 * (with the spec hash) and its destination network. Pure.
 */
import Docker from 'dockerode';
import { specHash } from '../hash';
import { LABEL, ownerLabels } from '../labels';
import { DesiredContainer, Healthcheck, ServiceConfig } from '../model';

const NS_PER_MS = 1_000_000;

/** The labels berth puts on a container it creates for `spec`. */
export function containerLabels(spec: DesiredContainer, server: string): Record<string, string> {
  return {
    ...spec.config.labels,
    ...ownerLabels(server, spec.kind, spec.resource),
    [LABEL.destination]: spec.destination,
    [LABEL.specHash]: specHash(spec.config),
    ...(spec.service ? { [LABEL.service]: spec.service.name } : {}),
  };
}

/**
 * Create options for `spec` under `name`, joined to `networkRef` (ID or name of the
 * destination network). `carry` mounts anonymous volumes of a replaced container again.
 */
export function createOptions(
  spec: DesiredContainer,
  server: string,
  name: string,
  networkRef: string,
  carry: { volume: string; target: string }[] = [],
): Docker.ContainerCreateOptions {
  const c = spec.config;
  const aliases = spec.attachments[0]?.aliases ?? [];
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of c.ports) {
    const key = `${p.containerPort}/${p.protocol}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: p.hostIp, HostPort: p.hostPort });
  }
  const binds: string[] = [];
  const anonymous: Record<string, object> = {};
  for (const m of c.mounts) {
    if (m.type === 'anonymous') anonymous[m.target] = {};
    else binds.push(`${m.source}:${m.target}${m.readOnly ? ':ro' : ''}`);
  }
  for (const v of carry) binds.push(`${v.volume}:${v.target}`);
  const service = c.service ? serviceOptions(c.service) : { top: {}, host: {} };
  for (const port of c.service?.expose ?? []) exposed[port] ??= {};
  return {
    ...service.top,
    name,
    Image: c.image,
    Cmd: c.command ?? undefined,
    Entrypoint: c.entrypoint ?? undefined,
    Env: Object.keys(c.env).map((k) => `${k}=${c.env[k]}`),
    Labels: containerLabels(spec, server),
    WorkingDir: c.workingDir ?? undefined,
    User: c.user ?? undefined,
    StopTimeout: c.stopGracePeriodMs === null ? undefined : Math.ceil(c.stopGracePeriodMs / 1000),
    Healthcheck: c.healthcheck ? healthcheck(c.healthcheck) : undefined,
    ExposedPorts: exposed,
    Volumes: anonymous,
    HostConfig: {
      PortBindings: bindings,
      Binds: binds,
      RestartPolicy: { Name: c.restart, MaximumRetryCount: c.restartMaxRetries },
      Memory: c.memoryBytes ?? undefined,
      NanoCpus: c.nanoCpus ?? undefined,
      LogConfig: { Type: c.logging.driver, Config: c.logging.options },
      NetworkMode: networkRef,
      ...service.host,
    },
    // An endpoint config costs the engine measurably at create (bench): send it only for aliases.
    NetworkingConfig:
      aliases.length > 0 ? { EndpointsConfig: { [networkRef]: { Aliases: aliases } } } : undefined,
  };
}

/** The create options only compose services set; an unset one is left to Docker. */
function serviceOptions(s: ServiceConfig) {
  const list = (xs: string[]) => (xs.length > 0 ? xs : undefined);
  const tmpfs = Object.fromEntries(
    s.tmpfs.map((t) => {
      const at = t.indexOf(':');
      return at < 0 ? [t, ''] : [t.slice(0, at), t.slice(at + 1)];
    }),
  );
  const top = {
    Hostname: s.hostname ?? undefined,
    StopSignal: s.stopSignal ?? undefined,
    Tty: s.tty || undefined,
    OpenStdin: s.stdinOpen || undefined,
  };
  const host = {
    Tmpfs: s.tmpfs.length > 0 ? tmpfs : undefined,
    ReadonlyRootfs: s.readOnly || undefined,
    Init: s.init || undefined,
    CapAdd: list(s.capAdd),
    CapDrop: list(s.capDrop),
    ExtraHosts: list(s.extraHosts),
    Dns: list(s.dns),
    Ulimits:
      s.ulimits.length > 0
        ? s.ulimits.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard }))
        : undefined,
    Sysctls: Object.keys(s.sysctls).length > 0 ? s.sysctls : undefined,
    ShmSize: s.shmSizeBytes ?? undefined,
  };
  return { top, host };
}

function healthcheck(h: Healthcheck) {
  const ns = (ms: number | null) => (ms === null ? undefined : ms * NS_PER_MS);
  return {
    Test: h.test,
    Interval: ns(h.intervalMs),
    Timeout: ns(h.timeoutMs),
    Retries: h.retries ?? undefined,
    StartPeriod: ns(h.startPeriodMs),
  };
}
